"""A small web of Indonesian-style news sites on loopback, for tests, demos and benches.

    with TestWeb("fixtures/web") as web:
        web.base("warta")          # http://127.0.0.1:PORT
        web.log                    # every request: site, path, status

The sites and articles are data (`fixtures/web/web.toml`), the labels are beside them
(`labels.toml`); `scraper serve-fixtures` serves them from the command line.
"""

from scraper.testweb.model import Article, Site, Web, load_web
from scraper.testweb.server import Hit, TestWeb

__all__ = ["Article", "Hit", "Site", "TestWeb", "Web", "load_web"]
