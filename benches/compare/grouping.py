#!/usr/bin/env python3
"""Grouping side by side: DuckDB and Python Polars on the Parquet files that
`cargo bench --bench summarize` runs Quarry on (the same rows, the same
queries, this machine, in-process).

    python3 benches/compare/grouping.py                 # every case
    python3 benches/compare/grouping.py --runs 5 dcount # cases whose name has "dcount"

The data:

- sample: bench-data/5000000/parquet/DeviceNetworkEvents.parquet, which
  `cargo bench --bench summarize` (or `quarry sample --rows 5000000
  --format parquet --out bench-data/5000000/parquet`) writes.
- generated: bench-data/grouping/connections-8192.parquet (about 4.6M
  (RemoteIP, RemotePort) groups) and connections-4194304.parquet (nearly
  every pair distinct), written by `cargo bench --bench summarize`; if
  absent they are generated here with the same SplitMix64 sequence.

Each engine loads a file once into memory (a DuckDB table, a Polars
DataFrame), then each query runs once to warm up and --runs more times;
the median is printed, as Quarry's criterion bench times `run` on a loaded
catalog. Both engines use 2 threads (this machine's cores) unless
--threads says otherwise.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "bench-data" / "5000000" / "parquet" / "DeviceNetworkEvents.parquet"
GENERATED = ROOT / "bench-data" / "grouping"
ROWS = 5_000_000

# (name, KQL as Quarry's bench runs it, DuckDB SQL, Polars expression)
# The names are those of benches/summarize.rs. KQL's dcount is exact in
# Quarry, so DuckDB counts DISTINCT exactly too; make_set keeps first
# appearance in Quarry and Polars (DuckDB's list order is its own).
SAMPLE_CASES = [
    (
        "count by RemoteIP, RemotePort",
        "summarize count() by RemoteIP, RemotePort",
        "SELECT RemoteIP, RemotePort, count(*) AS count_ FROM t GROUP BY ALL",
        lambda pl, df: df.group_by("RemoteIP", "RemotePort").agg(pl.len().alias("count_")),
    ),
    (
        "dcount(RemotePort) by RemoteIP",
        "summarize dcount(RemotePort) by RemoteIP",
        "SELECT RemoteIP, count(DISTINCT RemotePort) AS dcount_RemotePort FROM t GROUP BY ALL",
        lambda pl, df: df.group_by("RemoteIP").agg(
            pl.col("RemotePort").drop_nulls().n_unique().alias("dcount_RemotePort")
        ),
    ),
    (
        "arg_min(Timestamp, RemoteUrl) by RemoteIP, RemotePort",
        "summarize arg_min(Timestamp, RemoteUrl) by RemoteIP, RemotePort",
        "SELECT RemoteIP, RemotePort, min(Timestamp) AS Timestamp, "
        "arg_min(RemoteUrl, Timestamp) AS RemoteUrl FROM t GROUP BY ALL",
        lambda pl, df: df.group_by("RemoteIP", "RemotePort").agg(
            pl.col("Timestamp").min(),
            pl.col("RemoteUrl").get(pl.col("Timestamp").arg_min()),
        ),
    ),
    (
        "make_set(RemotePort) by RemoteIP",
        "summarize make_set(RemotePort) by RemoteIP",
        "SELECT RemoteIP, list(DISTINCT RemotePort) AS set_RemotePort FROM t GROUP BY ALL",
        lambda pl, df: df.group_by("RemoteIP").agg(
            pl.col("RemotePort").drop_nulls().unique(maintain_order=True).alias("set_RemotePort")
        ),
    ),
    (
        "count, dcount, arg_max by RemoteIP, ReportId",
        "summarize count(), dcount(RemotePort), arg_max(Timestamp, RemoteUrl) by RemoteIP, ReportId",
        "SELECT RemoteIP, ReportId, count(*) AS count_, count(DISTINCT RemotePort) AS dcount_RemotePort, "
        "max(Timestamp) AS Timestamp, arg_max(RemoteUrl, Timestamp) AS RemoteUrl FROM t GROUP BY ALL",
        lambda pl, df: df.group_by("RemoteIP", "ReportId").agg(
            pl.len().alias("count_"),
            pl.col("RemotePort").drop_nulls().n_unique().alias("dcount_RemotePort"),
            pl.col("Timestamp").max(),
            pl.col("RemoteUrl").get(pl.col("Timestamp").arg_max()),
        ),
    ),
]

GENERATED_CASES = [
    SAMPLE_CASES[0],
    (
        "dcount(DeviceName) by RemoteIP",
        "summarize dcount(DeviceName) by RemoteIP",
        "SELECT RemoteIP, count(DISTINCT DeviceName) AS dcount_DeviceName FROM t GROUP BY ALL",
        lambda pl, df: df.group_by("RemoteIP").agg(
            pl.col("DeviceName").drop_nulls().n_unique().alias("dcount_DeviceName")
        ),
    ),
    (
        "arg_min(Timestamp, DeviceName) by RemoteIP, RemotePort",
        "summarize arg_min(Timestamp, DeviceName) by RemoteIP, RemotePort",
        "SELECT RemoteIP, RemotePort, min(Timestamp) AS Timestamp, "
        "arg_min(DeviceName, Timestamp) AS DeviceName FROM t GROUP BY ALL",
        lambda pl, df: df.group_by("RemoteIP", "RemotePort").agg(
            pl.col("Timestamp").min(),
            pl.col("DeviceName").get(pl.col("Timestamp").arg_min()),
        ),
    ),
    SAMPLE_CASES[3],
]


def splitmix(seed, n, step):
    """The SplitMix64 outputs of benches/summarize.rs's `Mix(seed)` called
    `step` times a row for `n` rows: one Series per call of the row."""
    import polars as pl

    def u64(v):
        return pl.Series([v], dtype=pl.UInt64)

    # UInt64 arithmetic wraps in Polars, as Rust's wrapping_* does.
    calls = pl.int_range(1, n * step + 1, dtype=pl.UInt64, eager=True)
    z = calls * u64(0x9E3779B97F4A7C15) + u64(seed)
    z = (z ^ (z // u64(1 << 30))) * u64(0xBF58476D1CE4E5B9)
    z = (z ^ (z // u64(1 << 27))) * u64(0x94D049BB133111EB)
    z = z ^ (z // u64(1 << 31))
    return [z.gather_every(step, offset=i) for i in range(step)]


def generate(path, addresses, ports):
    """benches/summarize.rs's `connections(5M, addresses, ports)`."""
    import polars as pl

    a, p = splitmix(42, ROWS, 2)
    t, d = splitmix(7, ROWS, 2)
    a = a % addresses
    frame = pl.DataFrame(
        {
            "Timestamp": ((t % 604_800_000).cast(pl.Int64) * 1_000_000 + 1_740_787_200_000_000_000)
            .cast(pl.Datetime("ns")),
            "DeviceName": "ws-" + (d % 1000).cast(pl.String).str.zfill(4),
            "RemoteIP": "20."
            + (a // 65536 + 64).cast(pl.String)
            + "."
            + (a // 256 % 256).cast(pl.String)
            + "."
            + (a % 256).cast(pl.String),
            "RemotePort": (p % ports).cast(pl.Int32) + 49_152,
        }
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    frame.write_parquet(partial)
    partial.rename(path)


def median_time(fn, runs):
    fn()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("filters", nargs="*", help="run cases whose name contains one of these")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--engines", default="duckdb,polars")
    args = parser.parse_args()
    os.environ.setdefault("POLARS_MAX_THREADS", str(args.threads))
    import duckdb
    import polars as pl

    engines = args.engines.split(",")
    datasets = [("sample", SAMPLE, SAMPLE_CASES)]
    for addresses, ports, name, cases in [
        (8192, 4096, "generated", GENERATED_CASES),
        (1 << 22, 16_384, "near-distinct", GENERATED_CASES[:1]),
    ]:
        path = GENERATED / f"connections-{addresses}.parquet"
        datasets.append((name, path, cases))
        if not path.exists():
            print(f"generating {path}", file=sys.stderr)
            generate(path, addresses, ports)
    if not SAMPLE.exists():
        sys.exit(f"{SAMPLE} is missing: run `cargo bench --bench summarize` (or quarry sample) first")

    print(f"versions: duckdb {duckdb.__version__}, polars {pl.__version__}; "
          f"{args.threads} threads; median of {args.runs} runs")
    print(f"{'case':<72} {'groups':>9} {'DuckDB':>9} {'Polars':>9}")
    for dataset, path, cases in datasets:
        wanted = [c for c in cases if not args.filters
                  or any(f in f"{dataset}/{c[0]}" for f in args.filters)]
        if not wanted:
            continue
        con = duckdb.connect()
        con.execute(f"SET threads = {args.threads}")
        if "duckdb" in engines:
            con.execute(f"CREATE TABLE t AS SELECT * FROM read_parquet('{path}')")
        df = pl.read_parquet(path) if "polars" in engines else None
        for name, _kql, sql, expr in wanted:
            row = {}
            groups = None
            if "duckdb" in engines:
                # The whole result is materialised in DuckDB's memory, as
                # Quarry's frame and Polars' DataFrame are (converting it to
                # Python objects would time the conversion).
                run = lambda: con.execute(f"CREATE OR REPLACE TEMP TABLE result AS {sql}")
                row["DuckDB"] = median_time(run, args.runs)
                groups = con.execute(f"SELECT count(*) FROM ({sql})").fetchone()[0]
            if "polars" in engines:
                run = lambda: expr(pl, df)
                row["Polars"] = median_time(run, args.runs)
                groups = expr(pl, df).height
            cells = " ".join(
                f"{row[e]:>8.3f}s" if e in row else f"{'-':>9}" for e in ["DuckDB", "Polars"]
            )
            print(f"{dataset + '/' + name:<72} {groups:>9} {cells}", flush=True)
        con.close()


if __name__ == "__main__":
    main()
