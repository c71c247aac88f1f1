"""Where documents come from.

dumps.py     existing dumps and saved pages (files) -> Documents
feeds.py     RSS / Atom / sitemap documents -> (url, published) entries, parsed safely
compression.py  bounded gzip decompression shared by the readers
discover.py  the crawl over feeds and sitemap indexes -> article URLs (I/O passed in)
"""
