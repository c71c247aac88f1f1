"""Site profiles: one TOML file per site in this folder, loaded into frozen dataclasses.

A profile names the site, the domains it serves and text markers that identify a dump from it.
Its `[clean]` and `[extract]` tables are validated by the stages that use them.

    name = "sindonews"
    domains = ["sindonews.com"]          # matches the domain and every subdomain
    text_markers = ["SINDOnews\\.com"]   # regexes that identify a text dump without a URL
    [clean]   ...                        # rules for the cleaner
    [extract] ...                        # selectors for the HTML extractor
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scraper.errors import ConfigError, ProfileError

GENERIC = "generic"
_KNOWN_KEYS = {"name", "domains", "text_markers", "description", "clean", "extract"}


@dataclass(frozen=True)
class Profile:
    name: str
    domains: tuple[str, ...] = ()
    text_markers: tuple[re.Pattern[str], ...] = ()
    description: str = ""
    clean: Mapping[str, Any] = field(default_factory=dict)
    extract: Mapping[str, Any] = field(default_factory=dict)
    path: str = ""

    def serves(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        return any(host == d or host.endswith("." + d) for d in self.domains)


def _strings(data: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ProfileError(where, f"{key!r} must be a list of non-empty strings")
    return tuple(value)


def compile_pattern(pattern: str, where: str) -> re.Pattern[str]:
    """Compile a rule regex, refusing patterns that are empty or match the empty string."""
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise ProfileError(where, f"bad regex {pattern!r}: {exc}") from exc
    if compiled.fullmatch(""):
        raise ProfileError(where, f"regex {pattern!r} matches the empty string")
    return compiled


def parse_profile(text: str, where: str) -> Profile:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(where, f"not valid TOML ({exc})") from exc
    unknown = set(data) - _KNOWN_KEYS
    if unknown:
        raise ProfileError(where, f"unknown keys {sorted(unknown)}")
    name = data.get("name")
    if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9_-]+", name):
        raise ProfileError(where, "'name' must be a lowercase identifier")
    for table in ("clean", "extract"):
        if not isinstance(data.get(table, {}), dict):
            raise ProfileError(where, f"[{table}] must be a table")
    return Profile(
        name=name,
        domains=tuple(d.lower() for d in _strings(data, "domains", where)),
        text_markers=tuple(
            compile_pattern(p, where) for p in _strings(data, "text_markers", where)
        ),
        description=str(data.get("description", "")),
        clean=data.get("clean", {}),
        extract=data.get("extract", {}),
        path=where,
    )


class ProfileSet:
    """All profiles known to a run: the shipped ones, plus a user's folder that overrides them."""

    def __init__(self, profiles: Mapping[str, Profile]) -> None:
        if GENERIC not in profiles:
            raise ProfileError("profiles", "no 'generic' profile")
        self._profiles = dict(profiles)

    def __iter__(self) -> Iterator[Profile]:
        return iter(self._profiles.values())

    def names(self) -> list[str]:
        return sorted(self._profiles)

    @property
    def generic(self) -> Profile:
        return self._profiles[GENERIC]

    def get(self, name: str) -> Profile:
        try:
            return self._profiles[name]
        except KeyError:
            known = ", ".join(self.names())
            raise ConfigError(name, f"unknown site profile (known: {known})") from None

    def for_url(self, url: str | None) -> Profile | None:
        try:
            host = urlsplit(url).hostname if url else None
        except ValueError:  # "http://[::1" from a dump: no host to pick a profile by
            return None
        if not host:
            return None
        matches = [p for p in self if p.serves(host)]
        # The most specific domain wins (e.g. a subdomain profile over its parent).
        return max(matches, key=lambda p: max(len(d) for d in p.domains), default=None)

    def for_text(self, text: str) -> Profile | None:
        for profile in self:
            if any(marker.search(text) for marker in profile.text_markers):
                return profile
        return None

    def pick(self, *, url: str | None, text: str, forced: str | None = None) -> Profile:
        """The profile for a document: forced by name, else by URL, else by text, else generic."""
        if forced:
            return self.get(forced)
        return self.for_url(url) or self.for_text(text) or self.generic


def load_profiles(extra_dir: str | Path | None = None) -> ProfileSet:
    """Load the shipped profiles, then the TOML files of `extra_dir` (same name replaces)."""
    found: dict[str, Profile] = {}
    shipped = resources.files(__package__)
    for entry in sorted(shipped.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            profile = parse_profile(entry.read_text(encoding="utf-8"), f"profiles/{entry.name}")
            found[profile.name] = profile
    if extra_dir is not None:
        folder = Path(extra_dir)
        if not folder.is_dir():
            raise ConfigError(str(folder), "profiles folder does not exist")
        for path in sorted(folder.glob("*.toml")):
            profile = parse_profile(path.read_text(encoding="utf-8"), str(path))
            found[profile.name] = profile
    return ProfileSet(found)
