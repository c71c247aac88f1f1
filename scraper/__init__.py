"""scraper: build clean news corpora.

The public API is listed in `__all__`; everything else is internal.
"""

from scraper.clean import CleanResult, clean_text
from scraper.document import Document, Removal, format_seed, parse_seed, read_seed, write_seed

__version__ = "0.1.0"

__all__ = [
    "CleanResult",
    "Document",
    "Removal",
    "__version__",
    "clean_text",
    "format_seed",
    "parse_seed",
    "read_seed",
    "write_seed",
]
