"""Benchmark of `juesuan batch`: throughput and ratios against a baseline measured in the same run.

    python bench/bench_batch.py                  # 60 workbooks, under a minute even on 2 busy cores
    python bench/bench_batch.py -n 400 --profile # more, plus a cProfile of both readers

The workbooks are copies of samples/*.xlsx and samples/broken/*.xlsx (real documents,
some with typical errors) in a temporary folder, removed afterwards.

Measured, all in this run and on the same files:
  baseline          openpyxl.load_workbook(path) (full, not read-only), sequentially —
                    what a naive script does; on a subset (--baseline-files) to save time
  openpyxl, 1 process  batch with the openpyxl reader (the reference), in-process: snapshot,
                    safety checks, read_grids, parse, audit
  fast, 1 process   batch with the fast reader (python-calamine), in-process: what `juesuan check` does
  fast, N processes batch with the fast reader, a process pool of N (default: all cores)
Then a per-stage breakdown of one file's check (where the time goes).
"""
from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import openpyxl  # noqa: E402

from juesuan import batch  # noqa: E402
from juesuan.domain.catalog import load_catalog  # noqa: E402
from juesuan.io.reader import check_file, read_grids  # noqa: E402
from juesuan.io.summary_xlsx import write_summary  # noqa: E402
from juesuan.rules.audit import audit  # noqa: E402
from juesuan.rules.parse import parse_grids  # noqa: E402


def make_inbox(folder: Path, count: int) -> list[Path]:
    sources = sorted((ROOT / "samples").glob("*.xlsx")) + sorted((ROOT / "samples" / "broken").glob("*.xlsx"))
    files = []
    for i in range(count):
        source = sources[i % len(sources)]
        target = folder / f"unit{i // 50:02d}" / f"{i:04d}_{source.name}"
        target.parent.mkdir(exist_ok=True)
        shutil.copy(source, target)
        files.append(target)
    return files


def timed(label: str, count: int, work) -> tuple[float, float, object]:
    """Run `work`; return (files per wall second, files per CPU second, its result).

    CPU time includes the pool's worker processes (counted once they have been joined);
    on a shared machine it is the steadier measure of work done per file.
    """
    before, start = os.times(), time.perf_counter()
    result = work()
    seconds, after = time.perf_counter() - start, os.times()
    cpu = sum(after[:4]) - sum(before[:4])
    print(f"  {label:<28} {count:>4} files  {seconds:6.2f} s  {count / seconds:6.1f} files/s   "
          f"CPU {cpu / count * 1000:6.1f} ms/file", flush=True)
    return count / seconds, count / cpu, result


def stage_breakdown(paths: list[Path], repeat: int, catalog) -> None:
    """CPU per file of each stage of one check, over `paths` (one copy of each sample), the best
    of `repeat` rounds; beside it the python-calamine read floor of bench_speed.py, in process."""
    from python_calamine import CalamineWorkbook

    def floor(path):
        book = CalamineWorkbook.from_path(path)
        return [book.get_sheet_by_name(name).to_python() for name in book.sheet_names]

    from juesuan.rules import relations

    def cold(path):
        """A check as in a batch of distinct workbooks: no table shape compiled before (the copies
        here share their shapes, so the lines above see the relations compiled already)."""
        for key in [k for k, (catalog_kept, _) in relations._COMPILED.items() if catalog_kept is None]:
            del relations._COMPILED[key]         # a table's shape; what is built once per catalogue stays
        relations._PLANS.clear()
        return batch.check_in_worker(path)

    snapshots = [check_file(p) for p in paths]
    grids = [read_grids(s, reader="fast") for s in snapshots]
    reports = [parse_grids(g, str(p)) for g, p in zip(grids, paths)]
    batch._init_worker(catalog, "fast")
    stages = [
        ("calamine read floor", lambda: [floor(p) for p in paths]),
        ("snapshot + safety checks", lambda: [check_file(p) for p in paths]),
        ("read_grids, fast (calamine)", lambda: [read_grids(s, reader="fast") for s in snapshots]),
        ("parse_grids", lambda: [parse_grids(g, str(p)) for g, p in zip(grids, paths)]),
        ("audit", lambda: [audit(r, catalog) for r in reports]),
        ("batch.check_one, all of it", lambda: [batch.check_in_worker(str(p)) for p in paths]),
        ("  the same, shapes not cached", lambda: [cold(str(p)) for p in paths]),
    ]
    print(f"\nWhere the time goes: CPU ms per file over {len(paths)} distinct workbooks, best of {repeat} rounds:")
    for label, fn in stages:
        fn()
        best = float("inf")
        for _ in range(repeat):
            start = time.process_time()
            fn()
            best = min(best, time.process_time() - start)
        print(f"  {label:<28} {best / len(paths) * 1000:7.2f} ms", flush=True)
    print(f"  (load average {os.getloadavg()[0]:.1f})")


def profile(path: Path) -> None:
    snapshot = check_file(path)
    for label, fn in (("read_grids (openpyxl)", read_grids),
                      ("read_grids, fast (calamine)", lambda s: read_grids(s, reader="fast"))):
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(10):
            fn(snapshot)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(8)
        print(f"\ncProfile, {label}, 10 reads, top functions by own time:")
        print("\n".join(line for line in out.getvalue().splitlines()[6:] if line.strip()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", "--files", type=int, default=60, help="number of workbooks (default 60)")
    parser.add_argument("--baseline-files", type=int, default=15, help="files for the slow baseline (default 15)")
    parser.add_argument("-j", "--jobs", type=int, default=batch.default_jobs(), help="processes for the parallel run")
    parser.add_argument("--profile", action="store_true", help="also print a cProfile of both readers")
    args = parser.parse_args()

    catalog = load_catalog()
    with tempfile.TemporaryDirectory(prefix="juesuan-bench-") as tmp:
        files = make_inbox(Path(tmp), args.files)
        names = [str(f) for f in files]
        subset = files[: min(args.baseline_files, len(files))]
        print(f"load average {os.getloadavg()[0]:.1f} at the start. "
              f"{len(files)} workbooks (copies of {len(set(f.name.split('_', 1)[1] for f in files))} real ones), "
              f"{batch.default_jobs()} cores available, parallel run with {args.jobs} processes\n")

        def run(jobs, reader):
            return lambda: list(batch.in_order(batch.run_checks(names, catalog, jobs, reader)))

        baseline, baseline_cpu, _ = timed("baseline: full load", len(subset),
                                          lambda: [openpyxl.load_workbook(f) for f in subset])
        check_1, check_1_cpu, checked = timed("openpyxl reader, 1 process", len(names), run(1, "openpyxl"))
        fast_1, fast_1_cpu, _ = timed("fast reader, 1 process", len(names), run(1, "fast"))
        fast_n, fast_n_cpu, outcomes = timed(f"fast reader, {args.jobs} processes", len(names), run(args.jobs, "fast"))
        print(f"  (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores at the end)")

        print("\nRatios (throughput, higher is faster)             wall    CPU")
        for label, (wall, cpu), (wall0, cpu0) in [
            ("openpyxl reader, 1 process / baseline", (check_1, check_1_cpu), (baseline, baseline_cpu)),
            ("fast, 1 process / baseline", (fast_1, fast_1_cpu), (baseline, baseline_cpu)),
            ("fast, 1 process / openpyxl reader, 1 process", (fast_1, fast_1_cpu), (check_1, check_1_cpu)),
            (f"fast, {args.jobs} processes / fast, 1 process", (fast_n, fast_n_cpu), (fast_1, fast_1_cpu)),
            (f"fast, {args.jobs} processes / openpyxl, 1 process", (fast_n, fast_n_cpu), (check_1, check_1_cpu)),
            (f"fast, {args.jobs} processes / baseline", (fast_n, fast_n_cpu), (baseline, baseline_cpu)),
        ]:
            print(f"  {label:<46} {wall / wall0:5.2f}x {cpu / cpu0:5.2f}x")
        start = time.perf_counter()
        write_summary(outcomes, Path(tmp) / "汇总.xlsx")
        summary_s = time.perf_counter() - start

        print(f"\nSummary workbook for {len(outcomes)} files: {summary_s:.2f} s. "
              f"Parallel fast results identical to the openpyxl reader's: {outcomes == checked}")
        distinct = {f.name.split('_', 1)[1]: f for f in files}
        stage_breakdown(list(distinct.values()), 5, catalog)
        if args.profile:
            profile(files[0])


if __name__ == "__main__":
    main()
