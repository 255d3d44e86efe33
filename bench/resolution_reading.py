"""How well the free-text resolution reader reads the corpus (tests/data/resolution_corpus_*.json):
per-field accuracy and the share of texts with every field right, for the tuned part and the
held-out part separately, and the parse time per text.

Run `.venv/bin/python bench/resolution_reading.py` (add `--wrong` to list the texts it misreads).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from handlers import segmenter  # noqa: E402
from handlers.resolution_parser import parse_free_text  # noqa: E402
from tests.resolution_corpus import FIELDS, PARTS, load, score  # noqa: E402

ROUNDS = 20


def report(part: str, show_wrong: bool) -> None:
    cases = load(part)
    result = score(cases)
    fully = f"{result.fully_right}/{result.texts} = {result.share(result.fully_right):.1%}"
    print(f"{part}: {result.texts} texts, fully right {fully}")
    print("  per field: " + ", ".join(f"{name} {result.share(result.per_field[name]):.0%}" for name in FIELDS))
    print(f"  silent misreads (a wrong count or time shown without a question): {len(result.silent)}")
    if show_wrong:
        for text, misses in result.wrong:
            misread = "; ".join(f"{name}: got {got!r}, want {want!r}" for name, got, want in misses)
            print(f"  ✗ {text}\n      {misread}")


def parse_time_per_text() -> tuple[float, float]:
    """Wall-clock and CPU seconds per text. On a shared machine the wall figure includes waiting
    for a core; the CPU figure is what parsing itself costs."""
    texts = [case["text"] for part in PARTS for case in load(part)]
    for text in texts:
        parse_free_text(text)
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(ROUNDS):
        for text in texts:
            parse_free_text(text)
    count = ROUNDS * len(texts)
    return (time.perf_counter() - wall) / count, (time.process_time() - cpu) / count


def main() -> None:
    segmenter.warm_up()
    show_wrong = "--wrong" in sys.argv
    parts = [p for p in PARTS if p in sys.argv] or list(PARTS)
    for part in parts:
        report(part, show_wrong)
    wall, cpu = parse_time_per_text()
    print(f"parse time: {cpu * 1000:.2f} ms CPU a text ({wall * 1000:.2f} ms wall; {ROUNDS} rounds of the corpus)")


if __name__ == "__main__":
    main()
