"""The datatrove anchor: its MinHash dedup (signatures → buckets → clusters → filter) on a corpus.

    from bench.anchor_datatrove import run_datatrove
    result = run_datatrove(Path("corpus.jsonl"), tokenizer="whitespace")

`source` is a JSONL file with `id` and `text` fields, a folder of `*.jsonl` files (read as they
are, in `workers` tasks; datatrove names each record by file and line), or a folder of
seed-format `*.txt` files (converted to such a JSONL first, untimed; the id is the file name).

    python bench/anchor_datatrove.py DUMP --tokenizer whitespace --workers 2

runs it as a command (bench_scale.py's datatrove row) and prints a summary line on stderr.
`tokenizer` is "spacy" (datatrove as shipped for Indonesian: spaCy's `id` tokenizer) or
"whitespace" (str.split). datatrove's own MinHash settings are used as shipped (5-grams, 14
buckets × 8 hashes). The timed part is the four steps (reading and signing, and the filter, in
up to `workers` tasks); the result holds the ids datatrove kept.
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
    if source.is_file() or any(source.glob("*.jsonl")):
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
        files = sorted(data.glob("*.jsonl")) if data.is_dir() else [data]
        docs = sum(1 for path in files for _ in path.open(encoding="utf-8"))
        folder, pattern = (data, "*.jsonl") if data.is_dir() else (data.parent, data.name)
        # Reading and signing, and the filter, split by file: one task per worker.
        readers = min(workers, len(files))
        steps = [
            (
                [
                    JsonlReader(str(folder), glob_pattern=pattern),
                    MinhashDedupSignature(str(work / "sigs"), config=config, language=language),
                ],
                readers,
            ),
            (
                [MinhashDedupBuckets(str(work / "sigs"), str(work / "buckets"), config=config)],
                config.num_buckets,
            ),
            ([MinhashDedupCluster(str(work / "buckets"), str(work / "remove"), config=config)], 1),
            (
                [
                    JsonlReader(str(folder), glob_pattern=pattern),
                    MinhashDedupFilter(str(work / "remove")),
                    JsonlWriter(str(work / "kept"), compression=None),
                ],
                readers,
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


def main() -> None:
    import argparse
    import sys

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("--tokenizer", choices=TOKENIZERS, default="whitespace")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    result = run_datatrove(args.source, args.tokenizer, args.workers)
    print(f"{result['anchor']}: {result['docs']} docs in {result['seconds']:.1f} s "
          f"({result['docs_per_s']:.0f} docs/s), {len(result['kept_ids'])} kept", file=sys.stderr)


if __name__ == "__main__":
    main()
