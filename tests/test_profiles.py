import pytest

from scraper.errors import ConfigError, ProfileError
from scraper.profiles import load_profiles, parse_profile

SITES = ["antaranews", "bloombergtechnoz", "cnnindonesia", "detik", "jfid", "kompas",
         "liputan6", "nagagg", "okezone", "sindonews", "tempo", "tribunnews"]


def test_every_named_site_has_a_profile():
    profiles = load_profiles()
    assert set(SITES) | {"generic"} <= set(profiles.names())


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://nasional.sindonews.com/read/1/2/judul", "sindonews"),
        ("https://news.detik.com/berita/d-1/judul", "detik"),
        ("https://www.tribunnews.com/x", "tribunnews"),
        ("https://example.org/berita", None),
        ("https://notsindonews.com/x", None),
    ],
)
def test_profile_by_url(url, name):
    found = load_profiles().for_url(url)
    assert (found.name if found else None) == name


def test_pick_order_is_forced_then_url_then_text_then_generic():
    profiles = load_profiles()
    text = "Copyright © 2024 SINDOnews.com"
    assert profiles.pick(url=None, text=text).name == "sindonews"
    assert profiles.pick(url="https://www.detik.com/a", text=text).name == "detik"
    assert profiles.pick(url="https://www.detik.com/a", text=text, forced="kompas").name == "kompas"
    assert profiles.pick(url=None, text="nothing to see").name == "generic"
    with pytest.raises(ConfigError, match="unknown site profile"):
        profiles.pick(url=None, text="", forced="nosuchsite")


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('name = "x"\ntext_markers = [".*"]\n', "matches the empty string"),
        ('name = "x"\ntext_markers = ["("]\n', "bad regex"),
        ('name = "X Y"\n', "lowercase identifier"),
        ('name = "x"\ncolour = 1\n', "unknown keys"),
        ('name = "x"\ndomains = [""]\n', "non-empty strings"),
    ],
)
def test_bad_profiles_are_refused_with_the_file_name(toml, message):
    with pytest.raises(ProfileError, match=message) as info:
        parse_profile(toml, "my.toml")
    assert "my.toml" in str(info.value)


def test_a_user_folder_adds_and_replaces_profiles(tmp_path):
    (tmp_path / "mysite.toml").write_text('name = "mysite"\ndomains = ["mysite.id"]\n')
    profiles = load_profiles(tmp_path)
    assert profiles.for_url("https://www.mysite.id/a").name == "mysite"
    with pytest.raises(ConfigError, match="does not exist"):
        load_profiles(tmp_path / "missing")


@pytest.mark.parametrize("url", ["https://jogja.tribunnews.com/2025/01/02/berita",
                                 "https://www.tribunjabar.id/2025/01/02/berita",
                                 "https://aceh.serambinews.com/berita/1"])
def test_the_tribun_network_shares_one_profile(url):
    assert load_profiles().for_url(url).name == "tribunnews"


@pytest.mark.parametrize("url", ["http://[::1", "https://[oops/x", "http://]"])
def test_a_url_that_cannot_be_taken_apart_picks_no_profile(url):
    assert load_profiles().for_url(url) is None
