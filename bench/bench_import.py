"""Benchmark of `juesuan import`: seconds per document for text, Word and PDF.

    python bench/bench_import.py            # the three seeds as text, as .docx, and as PDF of their layout

The Word and PDF documents are made from the seeds as the tests make them (tests/support/
documents.py; the PDFs by LibreOffice Calc, one call), in a temporary folder removed afterwards.
Reported: the median of 5 imports of each document (read + recognise; no workbook written),
and for comparison the time to write the standard workbook of one of them.
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

from seedtext import seeds_dir  # noqa: E402
from support.documents import render_pdfs, seed_docx, seed_sheet  # noqa: E402

from juesuan.domain.catalog import load_catalog  # noqa: E402
from juesuan.ops.imports import import_document, save_import  # noqa: E402


def median_seconds(action, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    catalog = load_catalog()
    seeds = sorted(seeds_dir().glob("*.txt"))
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        documents = list(seeds)
        sheets = []
        for seed in seeds:
            text = seed.read_text(encoding="utf-8")
            documents.append(seed_docx(text, folder / f"{seed.stem}.docx"))
            sheets.append(seed_sheet(text, folder / f"{seed.stem}.xlsx"))
        documents += render_pdfs(sheets, folder)
        for document in documents:
            seconds = median_seconds(lambda: import_document(document, catalog))
            print(f"{document.suffix:6} {document.stem[:24]:24} {seconds * 1000:8.1f} ms")
        imported = import_document(seeds[0], catalog)
        target = folder / "out.xlsx"
        seconds = median_seconds(lambda: save_import(imported, catalog, target))
        print(f"write standard workbook + 情况说明: {seconds * 1000:.1f} ms")


if __name__ == "__main__":
    main()
