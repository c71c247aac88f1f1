"""The fetch stage: polite, fault-tolerant fetching into a raw page store.

client.py      Fetcher: redirects, retries (tenacity), limits, results
politeness.py  per-host concurrency and delay, 429/503 back-off, robots.txt (protego)
security.py    scheme and address checks (private networks refused), the run's DNS answers
transports.py  aiohttp or httpx connection pools pinned to the checked addresses
limits.py      retry/redirect statuses, page content types, config validation
store.py       PageStore: content-addressed bodies + JSON-lines index
sync.py        fetch_sync, BlockingFetcher for synchronous callers
"""

from scraper.charset import decode_body
from scraper.fetch.archive import export_warc
from scraper.fetch.client import Fetcher
from scraper.fetch.result import FetchResult
from scraper.fetch.store import PageStore
from scraper.fetch.sync import BlockingFetcher, fetch_sync

__all__ = [
    "BlockingFetcher",
    "FetchResult",
    "Fetcher",
    "PageStore",
    "decode_body",
    "export_warc",
    "fetch_sync",
]
