#!/usr/bin/env bash
# Benchmarks of BENCH.md: builds bench/.venv with leadloop (as installed from this
# checkout) and the anchors, then measures. Writes bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x bench/.venv/bin/python ]; then
    python3 -m venv bench/.venv
fi
# csvkit: B8's anchor (in2csv); XlsxWriter writes B8's workbook. Neither is leadloop's.
bench/.venv/bin/pip install -q sqlite-utils 'mailmerge==2.3.0' aiosmtpd csvkit XlsxWriter
# Reinstall leadloop every time: the figures must be those of this checkout.
bench/.venv/bin/pip install -q --force-reinstall --no-deps . && bench/.venv/bin/pip install -q .
exec bench/.venv/bin/python bench/run.py "$@"
