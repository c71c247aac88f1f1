"""The datatrove anchor: its MinHash dedup (signatures → buckets → clusters → filter) on a corpus.

    from bench.anchor_datatrove import run_datatrove
    result = run_datatrove(Path("corpus.jsonl"), tokenizer="whitespace")

`source` is a JSONL file with `id` and `text` fields, or a folder of seed-format `*.txt` files
(converted to such a JSONL first, untimed; the id is the file name). `tokenizer` is "spacy"
(datatrove as shipped for Indonesian: spaCy's `id` tokenizer) or "whitespace" (str.split).
datatrove's own MinHash settings are used as shipped (5-grams, 14 buckets × 8 hashes).
The timed part is the four steps on one worker; the result holds the ids datatrove kept.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path
from typing import Any

TOKENIZERS = ("spacy", "whitespace")


def _whitespace_tokenizer() -> Any:
    from datatrove.utils.word_tokenizers import WordTokenizer

    class Whitespace(WordTokenizer):  # type: ignore[misc]
        """str.split: what a user without spaCy's Indonesian tokenizer would pass."""

        def word_tokenize(self, text: str) -> list[str]:
            return text.split()

        def sent_tokenize(self, text: str) -> list[str]:
            return text.split("\n")

        def span_tokenize(self, text: str) -> list[tuple[int, int]]:
            raise NotImplementedError

    return Whitespace("id")


def _as_jsonl(source: Path, workdir: Path) -> Path:
    if source.is_file():
        return source
    out = workdir / "input.jsonl"
    with out.open("w", encoding="utf-8") as handle:
        for path in sorted(source.glob("*.txt")):
            text = path.read_text(encoding="utf-8")
            handle.write(json.dumps({"id": path.name, "text": text}, ensure_ascii=False) + "\n")
    return out


def run_datatrove(source: Path, tokenizer: str = "spacy", workers: int = 1) -> dict[str, Any]:
    """Run datatrove's MinHash dedup on `source`; docs/s, seconds and the kept ids."""
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.dedup.minhash import (
        MinhashConfig,
        MinhashDedupBuckets,
        MinhashDedupCluster,
        MinhashDedupFilter,
        MinhashDedupSignature,
    )
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    from datatrove.utils.typeshelper import Languages
    from loguru import logger

    if tokenizer not in TOKENIZERS:
        raise ValueError(f"tokenizer must be one of {TOKENIZERS}: {tokenizer!r}")
    logger.remove()  # datatrove logs every step to stderr
    config = MinhashConfig()
    language = Languages.indonesian if tokenizer == "spacy" else _whitespace_tokenizer()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        data = _as_jsonl(source, work)
        docs = sum(1 for _ in data.open(encoding="utf-8"))
        steps = [
            (
                [
                    JsonlReader(str(data.parent), glob_pattern=data.name),
                    MinhashDedupSignature(str(work / "sigs"), config=config, language=language),
                ],
                1,
            ),
            (
                [MinhashDedupBuckets(str(work / "sigs"), str(work / "buckets"), config=config)],
                config.num_buckets,
            ),
            ([MinhashDedupCluster(str(work / "buckets"), str(work / "remove"), config=config)], 1),
            (
                [
                    JsonlReader(str(data.parent), glob_pattern=data.name),
                    MinhashDedupFilter(str(work / "remove")),
                    JsonlWriter(str(work / "kept"), compression=None),
                ],
                1,
            ),
        ]
        start = time.perf_counter()
        for index, (pipeline, tasks) in enumerate(steps):
            LocalPipelineExecutor(
                pipeline=pipeline,
                tasks=tasks,
                workers=min(workers, tasks),
                logging_dir=str(work / f"logs{index}"),
                skip_completed=False,
            ).run()
        seconds = time.perf_counter() - start
        kept = {
            json.loads(line)["id"]
            for path in (work / "kept").glob("*.jsonl")
            for line in path.open(encoding="utf-8")
        }
    return {
        "anchor": f"datatrove MinHash ({tokenizer})",
        "docs": docs,
        "seconds": seconds,
        "docs_per_s": docs / seconds,
        "kept_ids": kept,
    }
