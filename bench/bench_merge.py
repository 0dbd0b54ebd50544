"""Benchmark of `juesuan merge`: time and CPU by stage for a department of N units.

    python bench/bench_merge.py          # 2, 10 and 30 copies of the 2024 samples (alternating)

Stages, each CPU-timed in this process: check every unit (ops.check_book), merge the reports
(rules/merge.py), check the merged report, build and save the workbook (template, 单位构成,
审核结果). The merged result is checked for 0 errors, so the run also shows the widened 尾差
envelope holding at that size.
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from juesuan.domain.catalog import load_catalog  # noqa: E402
from juesuan.io.composition_xlsx import render_composition  # noqa: E402
from juesuan.io.template_xlsx import build_workbook  # noqa: E402
from juesuan.ops import check_book, check_report  # noqa: E402
from juesuan.rules.merge import Unit, merge_reports  # noqa: E402
from juesuan.views.composition import composition_grid  # noqa: E402

SAMPLES = [ROOT / "samples" / "liaocheng_bjb_2024.xlsx", ROOT / "samples" / "zibo_zhangdian_2024.xlsx"]


def stage(label: str, work):
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    print(f"    {label:<22} {time.perf_counter() - wall:6.2f} s wall {time.process_time() - cpu:6.2f} s CPU")
    return result


def run(count: int, catalog) -> None:
    paths = [SAMPLES[i % 2] for i in range(count)]
    print(f"  {count} units")
    checks = stage("check the units", lambda: [check_book(p, catalog) for p in paths])
    merged = stage("merge", lambda: merge_reports([Unit(str(p), c.report) for p, c in zip(paths, checks)],
                                                  "部门", catalog))
    result = stage("check the department", lambda: check_report(merged.report, catalog))

    def write():
        book = build_workbook(catalog, merged.report)
        render_composition(book.create_sheet("单位构成"), composition_grid(merged, [str(p) for p in paths],
                                                                         [0] * count))
        with tempfile.TemporaryDirectory() as folder:
            book.save(Path(folder) / "部门.xlsx")
    stage("build and save", write)
    print(f"    department: {result.summary}")


if __name__ == "__main__":
    catalog = load_catalog()
    for n in (2, 10, 30):
        run(n, catalog)
