"""The one exception tree of `scraper`.

    ScraperError                  base class; every error names what it concerns
    ├── ConfigError               bad config file, bad flag value, unknown profile (exit 2)
    ├── ProfileError              a site profile TOML that does not validate
    ├── InputError                one input file or record cannot be used (exit 1, others go on)
    │   ├── EmptyInputError
    │   ├── BinaryInputError
    │   ├── OversizedInputError
    │   └── MalformedRecordError
    ├── FetchError                a URL could not be fetched
    │   ├── RobotsDisallowed
    │   ├── BlockedAddressError   private / loopback / reserved target refused
    │   ├── TooLargeError
    │   ├── UnsupportedContentError
    │   ├── TooManyRedirects
    │   ├── UnsupportedSchemeError  not http/https (file:, ftp:, javascript: ...)
    │   ├── NotInStoreError       --offline and the URL is not in the page store
    │   ├── HTTPStatusError       a final non-2xx status
    │   └── TransportError        connect/read failure or timeout after retries
    ├── ExtractError              a page is not an article, or yields nothing
    └── StoreError                the output folder, index or page store is unusable
        └── LockedError           another process is writing to that folder (exit 3)
"""

from __future__ import annotations


class ScraperError(Exception):
    """Base of every error raised by `scraper`.

    `subject` is the file, record or URL the error concerns, so that a caller can print one line
    that names the input and the reason.
    """

    def __init__(self, subject: str, reason: str) -> None:
        super().__init__(f"{subject}: {reason}")
        self.subject = subject
        self.reason = reason


class ConfigError(ScraperError):
    """A config file, flag or profile name that cannot be used."""


class ProfileError(ConfigError):
    """A site profile TOML file that does not validate."""


class InputError(ScraperError):
    """One input (a file or a record of a dump) that cannot be processed."""


class EmptyInputError(InputError):
    pass


class BinaryInputError(InputError):
    pass


class OversizedInputError(InputError):
    pass


class MalformedRecordError(InputError):
    pass


class FetchError(ScraperError):
    """A URL that could not be fetched."""


class RobotsDisallowed(FetchError):
    pass


class BlockedAddressError(FetchError):
    pass


class TooLargeError(FetchError):
    pass


class UnsupportedContentError(FetchError):
    pass


class TooManyRedirects(FetchError):
    pass


class UnsupportedSchemeError(FetchError):
    pass


class NotInStoreError(FetchError):
    pass


class HTTPStatusError(FetchError):
    def __init__(self, subject: str, status: int) -> None:
        super().__init__(subject, f"HTTP {status}")
        self.status = status


class TransportError(FetchError):
    pass


class ExtractError(ScraperError):
    """A page that is not an article, or from which nothing could be extracted."""


class StoreError(ScraperError):
    """The output folder, the dedup index or the page store is unusable."""


class LockedError(StoreError):
    """Another process holds the folder's writer lock (see `scraper.lock`)."""
