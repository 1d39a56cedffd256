#!/usr/bin/env bash
# Installs Debian packages for a tier of real servers the tests start themselves
# (tests/realservers/setup.sh, tests/dnsserver/setup.sh call it), as root, without
# starting or enabling their system services: the tests run their own instances from a
# temporary directory, on their own ports, and stop them at the end.
# Idempotent: with every package installed it does nothing.
#   usage: install_packages.sh LABEL SETUP_SCRIPT PACKAGE...
set -euo pipefail

label=$1 setup=$2
shift 2
packages=("$@")

installed() {
    [ "$(dpkg-query -W -f='${db:Status-Status}\n' "${packages[@]}" 2>/dev/null | grep -c '^installed$')" \
        -eq "${#packages[@]}" ]
}

if installed; then
    echo "$label: ${packages[*]} already installed"
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "$label: run as root (sudo bash $setup) to install ${packages[*]}" >&2
    exit 1
fi

# The packages' scripts would start their daemons for the whole machine (Postfix on 25,
# Dovecot on 143/993, NSD on 53); invoke-rc.d and deb-systemd-invoke ask policy-rc.d
# first, and 101 means "do not". Any policy already in place is put back afterwards.
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

attempt() {  # a registry that blinks should not fail the run
    local tries=5
    until "$@"; do
        tries=$((tries - 1))
        [ "$tries" -gt 0 ] || return 1
        echo "$label: retrying: $*" >&2
        sleep 10
    done
}
# Another apt run (unattended upgrades, a second session) holds the dpkg lock: wait for it.
apt=(apt-get -q -o Acquire::Retries=3 -o DPkg::Lock::Timeout=300)
attempt "${apt[@]}" update >/dev/null
attempt "${apt[@]}" install -y --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${packages[@]}" >/dev/null

installed
echo "$label: installed $(dpkg-query -W -f='${Package} ${Version}  ' "${packages[@]}")"
