#!/usr/bin/env bash
# Installs Debian's postfix and dovecot-imapd for the real-server tests (`pytest -m
# realservers`, tests/realservers/), as root, without starting or enabling their system
# services: the tests run their own instances from a temporary directory, with their own
# configuration and ports, and stop them at the end (tests/realservers/servers.py).
# Idempotent: with both packages installed it does nothing. Takes about 25 s here.
set -euo pipefail

packages=(postfix dovecot-imapd)

installed() {
    [ "$(dpkg-query -W -f='${db:Status-Status}\n' "${packages[@]}" 2>/dev/null | grep -c '^installed$')" \
        -eq "${#packages[@]}" ]
}

if installed; then
    echo "realservers: ${packages[*]} already installed"
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "realservers: run as root (sudo bash $0) to install ${packages[*]}" >&2
    exit 1
fi

# The packages' scripts would start Postfix on port 25 and Dovecot on 143/993 for the
# whole machine; invoke-rc.d and deb-systemd-invoke ask policy-rc.d first, and 101
# means "do not". Any policy already in place is put back afterwards.
policy=/usr/sbin/policy-rc.d
saved=""
if [ -e "$policy" ]; then
    saved=$(mktemp)
    cp -p "$policy" "$saved"
fi
restore() {
    if [ -n "$saved" ]; then mv -f "$saved" "$policy"; else rm -f "$policy"; fi
}
trap restore EXIT
printf '#!/bin/sh\nexit 101\n' > "$policy"
chmod 755 "$policy"

export DEBIAN_FRONTEND=noninteractive
# No system-wide mail configuration: the tests write their own.
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections

attempt() {  # a registry that blinks should not fail the run
    local tries=5
    until "$@"; do
        tries=$((tries - 1))
        [ "$tries" -gt 0 ] || return 1
        echo "realservers: retrying: $*" >&2
        sleep 10
    done
}
# Another apt run (unattended upgrades, a second session) holds the dpkg lock: wait for it.
apt=(apt-get -q -o Acquire::Retries=3 -o DPkg::Lock::Timeout=300)
attempt "${apt[@]}" update >/dev/null
attempt "${apt[@]}" install -y --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${packages[@]}" >/dev/null

installed
echo "realservers: installed $(dpkg-query -W -f='${Package} ${Version}  ' "${packages[@]}")"
