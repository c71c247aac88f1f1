"""The way back from a worker: pickling a batch of cleaned records with their dedup hashes.

    python bench/bench_transfer.py                 # 2,000 records
    python bench/bench_transfer.py --docs 5000

A worker process cleans and hashes a batch, then the batch is pickled to the main process, which
unpickles it. The records are bench_scale's generated articles, cleaned and hashed by a real
`scraper.parallel.Worker`. The anchor, measured in the same run on the same records: the batch
as a plain list, each record pickling its own Features object and arrays (what a worker sent
before `Records` packed the hashes). Best CPU time of `--repeat` rounds, per record.
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_scale import Generator
from scraper.config import Config
from scraper.document import Document
from scraper.parallel import Record, Records, Worker


def best_us(work: Callable[[], object], rounds: int, count: int) -> float:
    """The best CPU time of `rounds` calls of `work`, in µs per record."""
    times = []
    for _ in range(rounds):
        start = time.process_time()
        work()
        times.append(time.process_time() - start)
    return min(times) / count * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    gen = Generator(3, sentences=20000)
    batch = []
    for i in range(args.docs):
        record = gen.article(i)
        doc = Document(record["title"], record["text"].split("\n"), url=record["url"],
                       source=f"dump.jsonl#{i + 1}")
        batch.append(Record(None, doc.url, doc))
    records, _ = Worker(Config(), None, debug=False).process_and_hash(batch)
    count = len(records)
    print(f"{count:,} records, {sum(r.hashed is not None for r in records):,} with hashes\n")
    print("| sent as | pickle, µs/record | unpickle, µs/record | bytes/record |")
    print("|---|---|---|---|")
    for label, payload in (("a plain list (anchor)", list(records)),
                           ("`Records`, hashes packed", Records(records))):
        data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
        dump = best_us(lambda p=payload: pickle.dumps(p, protocol=pickle.HIGHEST_PROTOCOL),
                       args.repeat, count)
        load = best_us(lambda d=data: pickle.loads(d), args.repeat, count)
        print(f"| {label} | {dump:.1f} | {load:.1f} | {len(data) / count:,.0f} |")


if __name__ == "__main__":
    main()
