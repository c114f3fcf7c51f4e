"""How fast this machine is, printed beside benchmark figures so runs on different machines compare.

Sessions run on different virtual machines of the same size (2 vCPU), and their single-core
speed has differed by about 3× (the same 1M-contact import: 13 s of process CPU on one, 47 s on
another). Two fixed workloads say which kind of machine a figure came from:

* `python_loop_s`: CPython adding 10,000,000 integers in a `for` loop (best of 3): the core;
* `python_objects_s`: two million short strings made, sorted and measured (best of 3): the
  memory traffic the import's column-wise validation makes (the loop alone did not show the
  3× gap: 0.51 s on the slow machine);
* `postgres_s`: PostgreSQL summing `generate_series(1, 10,000,000)` (best of 3), when a
  database URL is given.

    .venv/bin/python bench/machine.py [postgres://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import subprocess
import sys
import time


def _python_loop() -> float:
    started = time.perf_counter()
    total = 0
    for i in range(10_000_000):
        total += i
    return time.perf_counter() - started


def _python_objects() -> float:
    started = time.perf_counter()
    cells = [str(i * 7919 % 2_000_003) for i in range(2_000_000)]
    cells.sort()
    max(map(len, cells))
    return time.perf_counter() - started


def _postgres(dsn: str) -> float | None:
    sql = "\\timing on\nSELECT sum(i) FROM generate_series(1, 10000000) AS i;"
    try:
        out = subprocess.run(
            ["psql", dsn, "-X", "-q", "-c", "SET max_parallel_workers_per_gather = 0", "-f", "-"],
            input=sql,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    times = [line for line in out.splitlines() if line.startswith("Time:")]
    return float(times[-1].split()[1]) / 1000 if times else None


def calibrate(dsn: str | None = None) -> dict[str, float | None]:
    result: dict[str, float | None] = {
        "python_loop_s": min(_python_loop() for _ in range(3)),
        "python_objects_s": min(_python_objects() for _ in range(3)),
    }
    if dsn:
        runs = [t for t in (_postgres(dsn) for _ in range(3)) if t is not None]
        result["postgres_s"] = min(runs) if runs else None
    return result


def describe(result: dict[str, float | None]) -> str:
    parts = [
        f"Python loop of 10M additions {result['python_loop_s']:.2f} s",
        f"2M strings made and sorted {result['python_objects_s']:.2f} s",
    ]
    if result.get("postgres_s") is not None:
        parts.append(f"PostgreSQL sum over 10M rows {result['postgres_s']:.2f} s")
    return "machine speed: " + ", ".join(parts) + " (bench/machine.py; smaller is faster)"


if __name__ == "__main__":
    print(describe(calibrate(sys.argv[1] if len(sys.argv) > 1 else None)))
