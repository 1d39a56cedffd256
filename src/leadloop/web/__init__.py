"""`leadloop serve` (SPEC §11): the website's inquiries come in, one-click answers go out.

The package is split so that what the rest of leadloop needs from it stays cheap to
import: `tokens` (signed links, used when rendering every message) and `intake` and
`spool` (inquiries into the store, used by `run-daily` too) import no web framework.
Only `app` and `server` import Starlette and uvicorn, and only `leadloop serve` imports
them, so `leadloop --version` starts no slower (BENCH.md B4).
"""
