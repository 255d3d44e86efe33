"""The reader against the corpus in tests/data/: the share of texts read fully right, on the part
its rules were tuned on and on the held-out part written before any rule (see
docs/resolutions-reading.md), and no silent misread anywhere: a wrong count or time is never shown
as if it were right, a contradiction is always a question."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.resolution_corpus import load, score

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"tuned": 0.95, "held_out": 0.85}


def test_corpus_is_large_enough_and_covers_the_hard_cases():
    cases = load("tuned") + load("held_out")
    assert len(cases) >= 80
    assert sum(case.get("conflict", False) for case in cases) >= 4
    assert sum(case.get("decision") is False for case in cases) >= 4


@pytest.mark.parametrize("part", TARGETS)
def test_reader_meets_its_target_on_each_part(part):
    result = score(load(part))
    wrong = "\n".join(f"{text}: {misses}" for text, misses in result.wrong)
    assert result.share(result.fully_right) >= TARGETS[part], wrong


@pytest.mark.parametrize("part", TARGETS)
def test_no_text_is_misread_silently(part):
    assert score(load(part)).silent == []


def test_benchmark_prints_both_parts_and_the_parse_time():
    done = subprocess.run(
        [sys.executable, "bench/resolution_reading.py"], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "tuned: " in done.stdout and "held_out: " in done.stdout and "ms CPU a text" in done.stdout
