#!/usr/bin/env bash
# Installs Debian's NSD (an authoritative DNS server) for the DNS tests (tests/dnsserver/),
# as root, starting no system service: the tests run their own NSD on 127.0.0.1 and a
# free port with their own zones (tests/dnsserver/nsd.py). Also dnsutils, for
# bench/run.py's B10 `dig` loop. About 10 s here.
set -euo pipefail
exec bash "$(dirname "$0")/../install_packages.sh" dns "$0" nsd dnsutils
