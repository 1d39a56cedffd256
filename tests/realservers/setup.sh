#!/usr/bin/env bash
# Installs Debian's postfix and dovecot-imapd for the real-server tests (`pytest -m
# realservers`, tests/realservers/), as root, starting no system service: the tests run
# their own instances (tests/realservers/servers.py). About 25 s here.
set -euo pipefail
if [ "$(id -u)" -eq 0 ]; then
    # No system-wide mail configuration: the tests write their own.
    echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
fi
exec bash "$(dirname "$0")/../install_packages.sh" realservers "$0" postfix dovecot-imapd
