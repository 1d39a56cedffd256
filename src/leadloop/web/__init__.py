"""`leadloop serve` (SPEC §11): the website's inquiries come in, one-click answers go out.

The package is split so that what the rest of leadloop needs from it stays cheap to
import: `intake` and `spool` (inquiries into the store, used by `run-daily` too) import
no web framework. The signed links every message carries are made in the core
(leadloop/links.py), which this package uses and never the other way round.
Only `app` and `server` import Starlette and uvicorn, and only `leadloop serve` imports
them, so `leadloop --version` starts no slower (BENCH.md B4).
"""
