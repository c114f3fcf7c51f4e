"""`make bench`: every benchmark in bench/, one after the other, each writing its RESULTS.md section.

    .venv/bin/python bench/run_all.py                  # all of them (about an hour on 2 cores)
    .venv/bin/python bench/run_all.py import scoring   # some of them, by name

Each runs in its own process with its default sizes (the sizes the quality bars in DESIGN.md
name) against the local PostgreSQL; a failing benchmark is reported and the others still run.
They run one at a time because each measures the whole machine: two at once would each report
the other's load. The exit status is non-zero when any of them failed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import machine  # bench/machine.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
PG = "postgres://postgres@127.0.0.1:5432/"

# name → (script, arguments, database it creates or reuses)
BENCHMARKS: dict[str, tuple[str, list[str], str | None]] = {
    "matching": ("match_bench.py", ["--splink", "--cli"], None),
    "ingestion": ("ingest_bench.py", [], "abm_bench"),
    "queue": ("queue_bench.py", [], "abm_queue_bench"),
    "import": ("import_bench.py", [], "abm_import_bench"),
    "scoring": ("score_bench.py", [], None),
    "dashboards": ("dash_bench.py", [], None),
    "demo-data": ("demo_data_bench.py", [], None),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help=", ".join(BENCHMARKS))
    args = parser.parse_args()
    unknown = set(args.names) - set(BENCHMARKS)
    if unknown:
        parser.error(
            f"unknown benchmark {', '.join(sorted(unknown))}; choose from {', '.join(BENCHMARKS)}"
        )
    names = args.names or list(BENCHMARKS)
    print(machine.describe(machine.calibrate(PG + "postgres")), flush=True)
    failed: list[str] = []
    took: list[str] = []
    for name in names:
        script, extra, database = BENCHMARKS[name]
        env = dict(os.environ)
        if database and "DATABASE_URL" not in os.environ:
            env["DATABASE_URL"] = PG + database
        print(f"\n=== {name}: bench/{script} {' '.join(extra)}", flush=True)
        started = time.monotonic()
        code = subprocess.call(
            [sys.executable, str(ROOT / "bench" / script), *extra], cwd=ROOT, env=env
        )
        minutes = (time.monotonic() - started) / 60
        took.append(f"{name}: {minutes:.1f} min" + ("" if code == 0 else f" (exit {code})"))
        if code != 0:
            failed.append(name)
    print("\n" + "\n".join(took))
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
