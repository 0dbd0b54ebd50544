"""The four speed ratios of issue 14, each against its baseline, measured in one run.

    python bench/bench_speed.py                       # about 3 minutes on 2 busy cores
    python bench/bench_speed.py --files 900 --memory-files 10000   # the issue's sizes (much longer)

Every figure is a whole process (python startup and imports included), timed from outside
with os.wait4 (wall seconds, and CPU seconds = user + sys of the process and its children),
run in pairs A B A B … so that both sides of a ratio see the same machine; the median of the
pairs' ratios is printed. The machine's load average is printed with them: on a shared
machine absolute times drift, ratios measured side by side much less.

  1. batch throughput / python-calamine read floor   target >= 0.25 (the issue's 0.5, revised: bench/README.md)
     `juesuan batch DIR -j J` against a script that merely opens every workbook of DIR with
     python-calamine and reads every sheet, in a pool of J processes: same files, same J.
  2. `juesuan check BOOK` / `openpyxl.load_workbook(BOOK)`   target <= 0.8
  3. fill and `check --write` of a 9,900-code-row workbook / openpyxl load+save of it   target <= 3
     and how time grows with the rows (the same at a quarter of the rows: per-row cost ratio).
  4. batch memory: peak RSS of `juesuan batch` over M files / over 100   target <= 1.10
     (the parent process, --format json and --report; the largest worker is printed beside it)
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from big_workbook import make_big_workbook  # noqa: E402

PYTHON = sys.executable
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
JUESUAN = [PYTHON, "-c", "from juesuan.console import run; run()"]
SAMPLE = ROOT / "samples" / "jinan_lixia_2023.xlsx"

CALAMINE_FLOOR = """
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from python_calamine import CalamineWorkbook

def read(path):
    book = CalamineWorkbook.from_path(path)
    return sum(len(book.get_sheet_by_name(name).to_python()) for name in book.sheet_names)

if __name__ == "__main__":
    files = sorted(str(p) for p in Path(sys.argv[1]).rglob("*.xlsx"))
    with ProcessPoolExecutor(int(sys.argv[2])) as pool:
        rows = sum(pool.map(read, files, chunksize=8))
    print(len(files), rows)
"""
OPENPYXL_LOAD = "import sys, openpyxl; openpyxl.load_workbook(sys.argv[1])"
OPENPYXL_LOAD_SAVE = "import sys, openpyxl; openpyxl.load_workbook(sys.argv[1]).save(sys.argv[2])"
PEAK_RSS = """
import atexit, resource, sys

def peaks():
    # VmHWM: ru_maxrss of a process started from the bench begins at the bench's own peak
    with open("/proc/self/status") as status:
        parent = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    sys.stderr.write(f"PEAKS {parent} {workers}\\n")

atexit.register(peaks)
from juesuan.console import run
sys.argv = ["juesuan", "batch", *sys.argv[1:]]
run()
"""

def measure(command: list[str], before=None) -> tuple[float, float, float]:
    """(wall s, CPU s, peak RSS MiB) of one run of `command` as a whole process."""
    if before is not None:
        before()
    start = time.perf_counter()
    process = subprocess.Popen(command, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"failed ({status}): {' '.join(command)}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def paired(a, b, runs: int) -> dict:
    """Run a and b (each (command, before)) in turn `runs` times after one warm-up of each;
    medians of each side and of the pair-by-pair ratios a/b, wall and CPU."""
    measure(*a)
    measure(*b)
    pairs = [(measure(*a), measure(*b)) for _ in range(runs)]
    med = statistics.median
    return {"a_wall": med(p[0][0] for p in pairs), "b_wall": med(p[1][0] for p in pairs),
            "a_cpu": med(p[0][1] for p in pairs), "b_cpu": med(p[1][1] for p in pairs),
            "wall": med(p[0][0] / p[1][0] for p in pairs), "cpu": med(p[0][1] / p[1][1] for p in pairs)}


def inbox(folder: Path, count: int) -> Path:
    """`count` copies of the samples and broken samples, 50 to a sub-folder."""
    sources = sorted(ROOT.glob("samples/*.xlsx")) + sorted(ROOT.glob("samples/broken/*.xlsx"))
    folder.mkdir()
    for i in range(count):
        target = folder / f"unit{i // 50:03d}" / f"{i:05d}_{sources[i % len(sources)].name}"
        target.parent.mkdir(exist_ok=True)
        shutil.copy(sources[i % len(sources)], target)
    return folder


def line(label: str, value: float, target: str, met: bool, detail: str) -> None:
    print(f"  {label:<52} {value:6.2f}   target {target:<7} {'met' if met else 'NOT MET'}   {detail}", flush=True)


def batch_ratio(tmp: Path, args, results: list) -> None:
    """1. batch against the calamine read floor (ratio of throughputs = floor time / batch time)."""
    folder = inbox(tmp / "inbox", args.files)
    floor_script = tmp / "calamine_floor.py"
    floor_script.write_text(CALAMINE_FLOOR, encoding="utf-8")
    one = paired(([*JUESUAN, "batch", str(folder), "-j", str(args.jobs), "--format", "json"], None),
                 ([PYTHON, str(floor_script), str(folder), str(args.jobs)], None), args.runs)
    results.append(("1. batch throughput / calamine read floor", 1 / one["wall"], ">= 0.25", 1 / one["wall"] >= 0.25,
                    f"(CPU {1 / one['cpu']:.2f}; {args.files} files, {args.jobs} processes: "
                    f"batch {args.files / one['a_wall']:.0f} files/s, floor {args.files / one['b_wall']:.0f} files/s)"))
    line(*results[-1])


def check_ratio(args, results: list) -> None:
    """2. check against openpyxl's load of the same file."""
    two = paired(([*JUESUAN, "check", str(SAMPLE)], None), ([PYTHON, "-c", OPENPYXL_LOAD, str(SAMPLE)], None),
                 args.runs)
    results.append(("2. check / openpyxl.load_workbook", two["wall"], "<= 0.8", two["wall"] <= 0.8,
                    f"(CPU {two['cpu']:.2f}; check {two['a_wall']:.2f} s, load {two['b_wall']:.2f} s)"))
    line(*results[-1])


def write_ratios(tmp: Path, args, results: list) -> None:
    """3. fill and check --write of the big workbook against openpyxl load+save; rows proportionality."""
    (tmp / "big").mkdir()
    (tmp / "quarter").mkdir()
    big, catalog = make_big_workbook(tmp / "big")
    quarter, quarter_catalog = make_big_workbook(tmp / "quarter", classes=10, kuans=10, xiangs=24)
    work = tmp / "work.xlsx"

    def fresh(source):
        return lambda: shutil.copy(source, work)

    baseline = ([PYTHON, "-c", OPENPYXL_LOAD_SAVE, str(big), str(tmp / "saved.xlsx")], None)
    for label, command in (("fill --in-place", ["fill", str(work), "--in-place"]),
                           ("check --write", ["check", str(work), "--write"])):
        three = paired(([*JUESUAN, *command, "--catalog", str(catalog)], fresh(big)), baseline, args.runs)
        small = statistics.median(
            measure([*JUESUAN, *command, "--catalog", str(quarter_catalog)], fresh(quarter))[1] for _ in range(2))
        growth = (three["a_cpu"] / 9910) / (small / 2510)
        results.append((f"3. {label}, 9,910 code rows / openpyxl load+save", three["wall"], "<= 3",
                        three["wall"] <= 3,
                        f"(CPU {three['cpu']:.2f}; {three['a_wall']:.1f} s vs {three['b_wall']:.1f} s; CPU per row "
                        f"at 9,910 rows / at 2,510 rows {growth:.2f})"))
        line(*results[-1])


def memory_ratio(tmp: Path, args, results: list) -> None:
    """4. memory of `juesuan batch` itself (the parent process: finding, handing out and
    collecting; and the largest worker): many files against 100, in JSON and with --report."""
    peak_script = tmp / "peak.py"
    peak_script.write_text(PEAK_RSS, encoding="utf-8")
    few = inbox(tmp / "few", 100)
    many = inbox(tmp / "many", args.memory_files)
    for label, extra in (("--format json", ["--format", "json"]), ("--report", ["--report", str(tmp / "r.xlsx")])):
        peaks = {}
        for name, folder in (("few", few), ("many", many)):
            done = subprocess.run([PYTHON, str(peak_script), str(folder), "-j", str(args.jobs), *extra], env=ENV,
                                  capture_output=True, text=True)
            line_ = next(x for x in done.stderr.splitlines() if x.startswith("PEAKS"))
            peaks[name] = [int(v) / 1024 for v in line_.split()[1:]]
        ratio = peaks["many"][0] / peaks["few"][0]
        results.append((f"4. batch {label} peak RSS, {args.memory_files} files / 100", ratio, "<= 1.10",
                        ratio <= 1.10,
                        f"(parent {peaks['many'][0]:.0f} vs {peaks['few'][0]:.0f} MiB; largest worker "
                        f"{peaks['many'][1]:.0f} vs {peaks['few'][1]:.0f} MiB)"))
        line(*results[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=300, help="workbooks for the batch ratio (default 300)")
    parser.add_argument("-j", "--jobs", type=int, default=2, help="processes on both sides of the batch ratio")
    parser.add_argument("--runs", type=int, default=3, help="pairs per ratio (default 3)")
    parser.add_argument("--memory-files", type=int, default=1000, help="files for the memory ratio (issue: 10000)")
    parser.add_argument("--only", type=int, choices=(1, 2, 3, 4), action="append",
                        help="measure only this ratio (repeatable; default: all four)")
    args = parser.parse_args()
    wanted = set(args.only or (1, 2, 3, 4))

    with tempfile.TemporaryDirectory(prefix="juesuan-speed-") as tmp:
        tmp = Path(tmp)
        print(f"load average {os.getloadavg()[0]:.1f} / {os.getloadavg()[1]:.1f} (1 / 5 min) on "
              f"{os.cpu_count()} cores at the start; medians of {args.runs} pairs\n", flush=True)
        results: list = []
        for number, measure_ratio in ((1, lambda: batch_ratio(tmp, args, results)),
                                      (2, lambda: check_ratio(args, results)),
                                      (3, lambda: write_ratios(tmp, args, results)),
                                      (4, lambda: memory_ratio(tmp, args, results))):
            if number in wanted:
                measure_ratio()
        print(f"\nload average {os.getloadavg()[0]:.1f} / {os.getloadavg()[1]:.1f} at the end. "
              f"{sum(r[3] for r in results)} of {len(results)} targets met.")

if __name__ == "__main__":
    main()
