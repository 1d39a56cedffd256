#!/usr/bin/env bash
# Installs Debian's NSD (an authoritative DNS server) for the DNS tests (tests/dnsserver/), as
# root, without starting or enabling its system service: the tests run their own NSD
# on 127.0.0.1 and a free port, from a temporary directory with their own zones, and
# stop it at the end (tests/dnsserver/nsd.py). Also dnsutils, for bench/run.py's B10 `dig`
# loop. Idempotent: with both packages installed it does nothing. ~10 s here.
set -euo pipefail

packages=(nsd dnsutils)

installed() {
    [ "$(dpkg-query -W -f='${db:Status-Status}\n' "${packages[@]}" 2>/dev/null | grep -c '^installed$')" \
        -eq "${#packages[@]}" ]
}

if installed; then
    echo "dns: ${packages[*]} already installed"
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "dns: run as root (sudo bash $0) to install ${packages[*]}" >&2
    exit 1
fi

# The package's scripts would start NSD on port 53 for the whole machine; policy-rc.d's
# 101 means "do not". Any policy already in place is put back afterwards.
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
        echo "dns: retrying: $*" >&2
        sleep 10
    done
}
apt=(apt-get -q -o Acquire::Retries=3 -o DPkg::Lock::Timeout=300)
attempt "${apt[@]}" update >/dev/null
attempt "${apt[@]}" install -y --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${packages[@]}" >/dev/null

installed
echo "dns: installed $(dpkg-query -W -f='${Package} ${Version}  ' "${packages[@]}")"
