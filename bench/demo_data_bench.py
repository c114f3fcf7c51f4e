"""Benchmark: `manage.py demo_data --accounts N` wall time and peak memory.

Bar (issue 2): N = 1,000,000 in under 3 minutes with peak RSS under 500 MB.

    .venv/bin/python bench/demo_data_bench.py [--accounts 1000000] [--seed 42] [--out DIR]

Runs the real management command in a child process under `/usr/bin/time -v` (wall and CPU
time) while polling the summed PSS of the process tree (the command writes blocks in worker
processes; `peak_rss_mb` is the larger of that sum and GNU time's largest single process),
records the machine's load average next to the figures (2 shared cores: the load says how much
of them the run had), and prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BAR_SECONDS = 180
BAR_RSS_MB = 500


def _env() -> dict[str, str]:
    """Settings refuse to start without SECRET_KEY unless DEBUG is on, as for `make demo`."""
    env = dict(os.environ)
    if "SECRET_KEY" not in env:
        env.setdefault("DEBUG", "1")
    return env


def _run(cmd: list[str]) -> dict:
    """Run under GNU time (wall, CPU, largest single RSS) while polling the summed memory (PSS)
    of the process tree (the command forks worker processes)."""
    import psutil

    timed = Path("/usr/bin/time").exists()
    full = ["/usr/bin/time", "-v", *cmd] if timed else cmd
    started = time.monotonic()
    proc = psutil.Popen(
        full, cwd=ROOT, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    tree_peak, parent_cpu = 0, 0.0
    while proc.poll() is None:
        try:
            members = [proc, *proc.children(recursive=True)]
            # PSS: pages the forked workers share with the parent are counted once, not thrice
            tree_peak = max(tree_peak, sum(m.memory_full_info().pss for m in members))
            if timed and len(members) > 1:  # the command itself, under /usr/bin/time
                times = members[1].cpu_times()
                parent_cpu = times.user + times.system
        except psutil.Error:
            pass
        time.sleep(0.5)
    stdout, stderr = proc.communicate()
    if proc.returncode != 0:
        sys.exit(stderr[-3000:])
    result = {
        "seconds": time.monotonic() - started,
        "tree_peak_rss_mb": tree_peak / 2**20,
        "parent_cpu_seconds": parent_cpu,
        "stdout": stdout,
    }
    if timed:
        result["max_single_rss_mb"] = (
            int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", stderr)[1]) / 1024
        )
        result["cpu_seconds"] = float(
            re.search(r"User time \(seconds\): ([\d.]+)", stderr)[1]
        ) + float(re.search(r"System time \(seconds\): ([\d.]+)", stderr)[1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", help="keep the files here (default: a temporary folder)")
    args = parser.parse_args()

    out = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="demo-bench-"))
    cmd = [
        sys.executable,
        "manage.py",
        "demo_data",
        "--out",
        str(out),
        "--accounts",
        str(args.accounts),
        "--seed",
        str(args.seed),
    ]
    load_before = os.getloadavg()
    run = _run(cmd)
    load_after = os.getloadavg()
    seconds = run["seconds"]
    rss_mb = max(run["tree_peak_rss_mb"], run.get("max_single_rss_mb", 0.0))
    counts = json.loads(run["stdout"].strip().splitlines()[-1])["files"]
    size_mb = sum(f.stat().st_size for f in out.iterdir()) / 2**20
    if not args.out:
        shutil.rmtree(out)
    result = {
        "accounts": args.accounts,
        "seconds": round(seconds, 1),
        "cpu_seconds": round(run.get("cpu_seconds", 0.0), 1),
        # names and domains are drawn in one sequence by the parent: the part no worker can share
        "parent_cpu_seconds": round(run["parent_cpu_seconds"], 1),
        "peak_rss_mb": round(rss_mb, 1),
        "max_single_process_rss_mb": round(run.get("max_single_rss_mb", 0.0), 1),
        "rows": counts,
        "total_rows": sum(counts.values()),
        "output_mb": round(size_mb, 1),
        "rows_per_second": round(sum(counts.values()) / seconds),
        "load_avg_1m_before_after": [round(load_before[0], 2), round(load_after[0], 2)],
        "cpus": os.cpu_count(),
    }
    if args.accounts >= 1_000_000:
        result["bar"] = {
            "seconds": BAR_SECONDS,
            "peak_rss_mb": BAR_RSS_MB,
            "pass": seconds < BAR_SECONDS and rss_mb < BAR_RSS_MB,
        }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
