"""Retry-After parsing, content types and config validation."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from scraper.config import FetchConfig
from scraper.errors import ConfigError, UnsupportedContentError
from scraper.fetch.limits import check_content_type, parse_retry_after, validate_config


def test_retry_after_seconds_and_http_date():
    assert parse_retry_after("7") == 7.0
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 25 <= (parse_retry_after(when) or 0) <= 31
    past = format_datetime(datetime.now(UTC) - timedelta(hours=1), usegmt=True)
    assert parse_retry_after(past) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


@pytest.mark.parametrize("kind", ["text/html", "TEXT/HTML; charset=utf-8", "application/xml",
                                  "application/atom+xml", None])
def test_page_types_pass(kind):
    check_content_type("http://a.test/", kind)


@pytest.mark.parametrize("kind", ["application/pdf", "image/jpeg", "application/json",
                                  "text/plain"])
def test_other_types_are_refused(kind):
    with pytest.raises(UnsupportedContentError, match="not HTML/XML"):
        check_content_type("http://a.test/", kind)


def test_defaults_match_the_issue():
    config = FetchConfig()
    assert (config.per_host_concurrency, config.concurrency, config.delay) == (1, 16, 1.0)
    assert (config.max_attempts, config.connect_timeout, config.read_timeout) == (3, 10.0, 30.0)
    assert (config.max_bytes, config.max_redirects) == (20 * 1024 * 1024, 5)
    assert (config.respect_robots, config.allow_private_networks) == (True, False)
    assert "http" in config.user_agent  # names a contact URL
    validate_config(config)


@pytest.mark.parametrize(("key", "value"), [
    ("concurrency", 0), ("per_host_concurrency", 0), ("max_attempts", 0), ("delay", -1.0),
    ("read_timeout", 0.0), ("backend", "curl"), ("user_agent", " "), ("max_redirects", -1),
])
def test_bad_values_are_refused(key, value):
    with pytest.raises(ConfigError, match=key):
        validate_config(dataclasses.replace(FetchConfig(), **{key: value}))
