"""Where documents come from.

dumps.py     existing dumps and saved pages (files) -> Documents
feeds.py     RSS / Atom / sitemap documents -> (url, published) entries, parsed safely
discover.py  the crawl over feeds and sitemap indexes -> article URLs (I/O passed in)
"""
