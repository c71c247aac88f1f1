import re

import pytest

from scraper.config import Config, FetchConfig, load_config, override
from scraper.errors import ConfigError


def test_defaults_without_a_file():
    config = load_config(None)
    assert config == Config()
    assert config.fetch.per_host_concurrency == 1 and config.fetch.delay == 1.0
    assert config.dedup.bands * config.dedup.rows == config.dedup.num_perm


def test_file_overrides_defaults_and_flags_override_the_file(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[clean]\nsite = "detik"\nmax_bytes = 100\n[fetch]\ndelay = 2\n'
                    'allow_private_networks = ["127.0.0.0/8"]\n')
    config = load_config(path)
    assert config.clean.site == "detik" and config.clean.max_bytes == 100
    assert config.fetch.delay == 2.0 and isinstance(config.fetch.delay, float)
    assert config.fetch.allow_private_networks == ["127.0.0.0/8"]
    flagged = override(config, "clean", site="kompas", max_bytes=None)
    assert flagged.clean.site == "kompas" and flagged.clean.max_bytes == 100


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[clean]\nsitee = 1\n", "unknown key 'sitee'"),
        ("[cleaning]\n", "unknown table [cleaning]"),
        ("[fetch]\ndelay = 'slow'\n", "key 'delay' has the wrong type"),
        ("[fetch]\nrespect_robots = 1\n", "key 'respect_robots' has the wrong type"),
        ("[clean\n", "not valid TOML"),
    ],
)
def test_bad_config_names_the_file_and_the_reason(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert message in str(info.value) and str(path) in str(info.value)


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError, match="cannot read config file"):
        load_config(tmp_path / "nope.toml")


def test_flag_of_the_wrong_type_is_refused():
    with pytest.raises(ConfigError):
        override(Config(), "fetch", allow_private_networks="yes")
    assert override(Config(), "fetch").fetch == FetchConfig()


def test_sources_relevance_and_run_tables(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[run]\nout = "corpus"\n[relevance]\nlike = ["seeds/"]\nthreshold = 1\n'
                    '[[sources]]\nurl = "https://a.id/rss"\n'
                    '[[sources]]\nurl = "https://a.id/cari?q={query}"\nkind = "search"\n'
                    'max_age_days = 2\n')
    config = load_config(path)
    assert config.run.out == "corpus" and config.relevance.threshold == 1.0
    assert [(s.kind, s.max_age_days) for s in config.sources] == [("auto", None), ("search", 2.0)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[sources]]\nkind = "feed"\n', "#1: needs a url"),
        ('[[sources]]\nurl = "https://a.id/"\nkind = "blog"\n', "kind 'blog' is not one of"),
        ('[[sources]]\nurl = "https://a.id/"\ndepht = 2\n', "unknown key 'depht'"),
        ('sources = "https://a.id/"\n', "[[sources]] must be an array of tables"),
    ],
)
def test_bad_sources_name_the_entry(tmp_path, text, message):
    path = tmp_path / "c.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_config(path)


def test_the_shipped_example_configs_load():
    from support import ROOT

    assert len(load_config(ROOT / "scraper.toml").sources) > 5
    assert load_config(ROOT / "fixtures" / "web" / "demo.toml").relevance.like == ["seeds/"]
