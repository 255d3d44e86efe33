"""Benchmark: importing a province's roster (300,000 members) and re-importing it as an update.

Generates a CSV — 20,000 villages × 15 cadres in 20 counties' townships, each cadre with a WeCom
account — then imports it into a throwaway PostgreSQL database (and an SQLite file with
`--sqlite`) and imports it again with one member in ten given a new role. Prints reading time
(the CSV reader in handlers/roster.py) and writing time (storage/roster_write.py) separately.

    python bench/roster_import.py [--members 300000] [--pg postgresql://postgres@127.0.0.1:5432/test] [--sqlite]
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.checkin import throwaway_postgres  # noqa: E402
from bot.app import build_app  # noqa: E402
from bot.config import Settings  # noqa: E402
from handlers.roster import read_roster, write_rows  # noqa: E402

VILLAGE_SIZE = 15
VILLAGES_PER_TOWNSHIP = 16
ROLES = ("书记", "村干部", "村干部", "党员", "村民代表")


def write_csv(path: Path, members: int, changed_every: int = 0) -> None:
    """The roster file; with changed_every = k, every k-th member has a different role."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["乡镇", "村", "姓名", "职务", "企业微信ID"])
        for i in range(members):
            village = i // VILLAGE_SIZE
            role = ROLES[i % len(ROLES)]
            if changed_every and i % changed_every == 0:
                role = "党员" if role != "党员" else "村干部"
            out.writerow([f"第{village // VILLAGES_PER_TOWNSHIP}镇", f"第{village}村", f"干部{i}", role, f"wx{i}"])


def import_once(url: str, path: Path) -> tuple[float, float, str]:
    app = build_app(Settings(database_url=url))
    try:
        started = time.perf_counter()
        rows = read_roster(path)
        read = time.perf_counter() - started
        started = time.perf_counter()
        with app.unit_of_work() as uow:
            report = write_rows(uow.session, rows)
            uow.commit()
        return read, time.perf_counter() - started, str(report)
    finally:
        app.close()


def run(label: str, url: str, folder: Path, members: int) -> None:
    first, second = folder / "roster.csv", folder / "roster-update.csv"
    write_csv(first, members)
    write_csv(second, members, changed_every=10)
    for name, path in (("import", first), ("re-import (1 in 10 changed)", second)):
        read, write, report = import_once(url, path)
        total = read + write
        print(f"{label} {name:28}: read {read:6.1f} s, write {write:6.1f} s ({members / write:7.0f} rows/s),"
              f" total {total:6.1f} s ({members / total:6.0f} rows/s)  [{report}]")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=300_000)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--sqlite", action="store_true", help="also measure an SQLite file")
    args = parser.parse_args()
    print(f"{args.members} members, {args.members // VILLAGE_SIZE} villages of {VILLAGE_SIZE}, one WeCom account each")
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        with throwaway_postgres(args.pg) as (_conninfo, url):
            run("PostgreSQL", url, folder, args.members)
        if args.sqlite:
            run("SQLite    ", f"sqlite:///{folder / 'roster.sqlite3'}", folder, args.members)


if __name__ == "__main__":
    main()
