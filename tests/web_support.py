"""Helpers for tests on the test web: a config for loopback runs, labels, scoring."""

from __future__ import annotations

import tomllib
from pathlib import Path

from support import FIXTURES, SEEDS

WEB = FIXTURES / "web"
LABELS = tomllib.loads((WEB / "labels.toml").read_text(encoding="utf-8"))
ON_TOPIC = set(LABELS["on-topic"])
OFF_TOPIC = set(LABELS["off-topic"])
# The second topic (rice prices): every article not listed is off-topic for it.
RICE = tomllib.loads((WEB / "labels-beras.toml").read_text(encoding="utf-8"))
RICE_EXAMPLES = WEB / RICE["like"]


def write_config(path: Path, sources: str, relevance: bool = True,
                 like: Path = SEEDS) -> Path:
    text = (
        "[fetch]\ndelay = 0.0\nallow_private_networks = true\nbackoff_base = 0.05\n"
        "retry_after_cap = 1.0\n\n[run]\nbatch_size = 6\n\n"
    )
    if relevance:
        text += f'[relevance]\nlike = ["{like}"]\n\n'
    path.write_text(text + sources, encoding="utf-8")
    return path


def source(url: str, **keys: object) -> str:
    lines = ["[[sources]]", f'url = "{url}"']
    for key, value in keys.items():
        lines.append(f"{key} = {value!r}".replace("'", '"') if not isinstance(value, bool)
                     else f"{key} = {str(value).lower()}")
    return "\n".join(lines) + "\n\n"


def article_id(url: str) -> str:
    """The test web's article id is the last word-slug of its URL."""
    return [part for part in url.rstrip("/").split("/") if not part.isdigit()][-1]


def written_ids(out: Path) -> list[str]:
    import json

    lines = (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    return [article_id(json.loads(line)["url"]) for line in lines]
