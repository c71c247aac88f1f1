"""scraper: build clean news corpora.

The public API is listed in `__all__`; everything else is internal.
"""

from scraper.document import Document, Removal, format_seed, parse_seed, read_seed, write_seed

__version__ = "0.1.0"

__all__ = [
    "Document",
    "Removal",
    "__version__",
    "format_seed",
    "parse_seed",
    "read_seed",
    "write_seed",
]
