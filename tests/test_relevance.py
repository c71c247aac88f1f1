"""Relevance to the seed articles: names, story, aliases, counter-examples, the pre-score."""

import pytest
from support import SEEDS

from scraper.clean import clean_text
from scraper.config import RelevanceConfig
from scraper.document import Document
from scraper.errors import ConfigError
from scraper.relevance import Relevance
from scraper.relevance.terms import Terms, load_aliases

EXAMPLES = [clean_text(p.read_text(encoding="utf-8")).document for p in sorted(SEEDS.glob("*"))]


def doc(title, *paragraphs):
    return Document(title=title, paragraphs=list(paragraphs))


ON_TOPIC_PARAPHRASED = doc(
    "Korut dan Moskow Sepakati Jalur Kereta Baru",
    "Pejabat Korut dan Moskow sepakat menambah jadwal kereta barang di perbatasan setelah "
    "pertemuan Kim dan Putin di Pyongyang.",
    "Kremlin menyebut kerja sama militer dan ekonomi kedua negara akan diperluas tahun ini.",
)
FOOTBALL = doc(
    "Korea Utara vs Iran Berakhir 1-0",
    "Tim sepak bola Korea Utara menang tipis atas Iran lewat gol Kim Yu-song di menit akhir.",
    "Pelatih Iran mengeluhkan wasit, sementara suporter di Pyongyang merayakan kemenangan.",
)
REFEREE = doc(
    "Wasit Kim Pimpin Laga Liga 1",
    "Wasit asal Korea Selatan bernama Kim memimpin laga Liga 1 di Jakarta akhir pekan ini.",
    "Ia dikenal tegas dan jarang memberi kartu merah kepada pemain.",
)


@pytest.fixture(scope="module")
def relevance():
    return Relevance(RelevanceConfig(like=["seeds"]), EXAMPLES)


def test_aliases_read_paraphrases_as_the_canonical_name():
    terms = [t.text for t in Terms(load_aliases()).of("Korut dan Moskow, lalu Kim Jong-un.")]
    assert terms == ["korea utara", "rusia", "kim jong un"]


def test_a_paraphrased_article_scores_above_the_threshold(relevance):
    score, reason = relevance.judge(ON_TOPIC_PARAPHRASED)
    assert reason is None and score.score >= relevance.config.threshold
    assert {"korea utara", "rusia", "kim jong un", "vladimir putin"} <= set(score.terms)


@pytest.mark.parametrize("negative", [FOOTBALL, REFEREE], ids=["football", "referee"])
def test_sharing_a_name_but_not_the_story_scores_low(relevance, negative):
    score, reason = relevance.judge(negative)
    assert reason == "below the relevance threshold"
    assert score.score < 0.75 * relevance.config.threshold


def test_the_manifest_fields_are_set(relevance):
    kept = ON_TOPIC_PARAPHRASED
    relevance.judge(kept)
    assert kept.extra["relevance"] > 0 and kept.extra["terms"][0] in relevance.model.key


def test_an_unlike_example_pulls_its_lookalikes_out():
    unlike = [doc("Korea Utara Lolos ke Piala Dunia", *FOOTBALL.paragraphs)]
    judged = Relevance(RelevanceConfig(like=["seeds"], threshold=0.0), EXAMPLES, unlike)
    assert judged.judge(FOOTBALL)[1] == "closer to an unlike example"
    assert judged.judge(ON_TOPIC_PARAPHRASED)[1] is None


def test_the_prescore_skips_only_the_obviously_off_topic(relevance):
    assert relevance.prescreen("Harga Beras Naik Jelang Lebaran", "https://a.id/harga-beras",
                               None) is None
    assert relevance.prescreen("Korut Kirim Delegasi", "https://a.id/read/1", None) is not None
    # A bare URL says too little: fetched, then judged on its text.
    assert relevance.prescreen(None, "https://a.id/read/123/x", None) is not None


def test_query_is_built_from_the_examples_names(relevance):
    assert relevance.query(3) == ["kim jong un", "korea utara", "pyongyang"]


def test_no_readable_example_is_a_config_error():
    with pytest.raises(ConfigError, match="no example"):
        Relevance(RelevanceConfig(like=["x"]), [doc("t")])


def test_a_topic_told_without_names_still_scores():
    examples = [doc("harga beras naik", "harga beras medium naik di pasar induk pekan ini.",
                    "pedagang beras mengeluhkan pasokan gabah yang berkurang."),
                doc("beras mahal", "harga beras premium ikut naik karena pasokan gabah turun.")]
    judged = Relevance(RelevanceConfig(like=["-"], min_terms=2), examples)
    on = judged.judge(doc("pasokan gabah", "harga beras naik lagi, pasokan gabah menipis."))[0]
    off = judged.judge(doc("banjir", "hujan deras membuat rumah warga terendam banjir."))[0]
    assert on.score > 0.5 > off.score


def test_scraper_query_prints_the_query_then_the_weighted_terms(tmp_path, capsys):
    from scraper.cli import main

    config = tmp_path / "c.toml"
    config.write_text(f'[relevance]\nlike = ["{SEEDS}"]\n')
    assert main(["query", "-c", str(config), "--terms", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "kim jong un korea utara"
    assert lines[1].split() == ["15.0", "name", "kim", "jong", "un"]


def test_scraper_query_needs_examples(tmp_path, capsys):
    from scraper.cli import main

    config = tmp_path / "c.toml"
    config.write_text("[run]\nout = 'x'\n")
    assert main(["query", "-c", str(config)]) == 2
    assert "needs [relevance] like" in capsys.readouterr().err


def test_an_alias_in_capitals_matches_only_in_capitals():
    terms = Terms(load_aliases())
    assert [t.text for t in terms.of("Presiden AS tiba")] == ["presiden", "amerika serikat"]
    assert "amerika serikat" not in [t.text for t in terms.of("as roda patah")]
