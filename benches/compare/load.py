#!/usr/bin/env python3
"""Loading the same files with Quarry, Python Polars and DuckDB, side by side.

Each engine loads each file RUNS times, every run in a fresh process under
`/usr/bin/time -v`, so each run reports its own peak resident memory and a
warm page cache serves every engine alike. For Polars and DuckDB the script
also records the in-process load time (without Python's start-up and imports);
for Quarry the process wall time is the load (`quarry tables FILE` loads the
file, prints one short block and exits). The table printed has medians.

    python3 benches/compare/load.py \
        --quarry target/release/quarry \
        bench-data/5000000/parquet/DeviceNetworkEvents.parquet \
        bench-data/5000000/csv/DeviceNetworkEvents.csv

Files ending in .parquet are read as Parquet, anything else as CSV. The
data is what `quarry sample --rows N` writes (see benches/common/mod.rs).
Expects Polars 2.1.0 and DuckDB 2.0.1 (pip); prints the versions it finds.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time

TIME = "/usr/bin/time"


def child(engine: str, path: str) -> None:
    """Loads `path` once with `engine` and prints the in-process seconds and
    the row count as JSON (run under /usr/bin/time by the parent)."""
    parquet = path.endswith(".parquet")
    if engine == "polars":
        import polars as pl

        start = time.perf_counter()
        df = pl.read_parquet(path) if parquet else pl.read_csv(path)
        seconds = time.perf_counter() - start
        rows = df.height
    elif engine == "duckdb":
        import duckdb

        con = duckdb.connect()  # in memory
        reader = "read_parquet" if parquet else "read_csv"
        start = time.perf_counter()
        con.execute(f"CREATE TABLE t AS SELECT * FROM {reader}(?)", [path])
        seconds = time.perf_counter() - start
        rows = con.execute("SELECT count(*) FROM t").fetchone()[0]
    else:
        raise SystemExit(f"unknown engine {engine}")
    print(json.dumps({"seconds": seconds, "rows": rows}))


def timed(cmd: list[str]) -> tuple[float, int, str]:
    """Runs `cmd` under /usr/bin/time -v: wall seconds, peak RSS in KiB, stdout."""
    start = time.perf_counter()
    done = subprocess.run([TIME, "-v", *cmd], capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stderr[-2000:]}")
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    rss = int(match.group(1)) if match else 0
    return wall, rss, done.stdout


def versions() -> str:
    found = []
    for name in ("polars", "duckdb"):
        try:
            module = __import__(name)
            found.append(f"{name} {module.__version__}")
        except ImportError:
            found.append(f"{name} missing")
    return ", ".join(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("files", nargs="*")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quarry", help="the quarry binary (release build)")
    parser.add_argument(
        "--engines", default="quarry,polars,duckdb", help="comma-separated"
    )
    parser.add_argument("--child", nargs=2, metavar=("ENGINE", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    if not args.files:
        parser.error("give the files to load")
    engines = [e for e in args.engines.split(",") if e]
    if "quarry" in engines and not args.quarry:
        parser.error("--quarry PATH is needed to time Quarry")
    print(f"# {versions()}; {os.cpu_count()} CPUs; {args.runs} runs each, medians")
    print(
        f"{'file':<40} {'engine':<7} {'rows':>10} {'in-process s':>13} {'process s':>10} {'peak MiB':>9}"
    )
    for path in args.files:
        for engine in engines:
            inproc, walls, peaks, rows = [], [], [], None
            for _ in range(args.runs):
                if engine == "quarry":
                    wall, rss, out = timed([args.quarry, "tables", path])
                    match = re.search(r"\s(\d+) rows", out)
                    rows = int(match.group(1)) if match else None
                else:
                    cmd = [sys.executable, __file__, "--child", engine, path]
                    wall, rss, out = timed(cmd)
                    result = json.loads(out.strip().splitlines()[-1])
                    inproc.append(result["seconds"])
                    rows = result["rows"]
                walls.append(wall)
                peaks.append(rss)
            name = os.path.join(*path.split(os.sep)[-2:])
            inner = f"{statistics.median(inproc):.3f}" if inproc else "-"
            print(
                f"{name:<40} {engine:<7} {rows if rows is not None else '?':>10} "
                f"{inner:>13} {statistics.median(walls):>10.3f} "
                f"{statistics.median(peaks) / 1024:>9.0f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
