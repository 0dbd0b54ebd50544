"""Render the batch summary of samples/ + samples/broken/ as the reviewer prints it, for docs/.

    python scripts/summary_page.py            # writes docs/batch-summary.pdf and docs/batch-summary-1.png

Runs `juesuan batch samples samples/broken --report …` (paths relative to the repository, as a
reviewer types them), converts the workbook to PDF with LibreOffice (io/pdf.py: the same
conversion as `publish --pdf`) and the first page to PNG with pdftoppm (poppler-utils).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def main() -> int:
    import openpyxl

    from juesuan.io.pdf import workbook_to_pdf
    if shutil.which("pdftoppm") is None:
        print("需要 pdftoppm（poppler-utils）", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "汇总.xlsx"
        done = subprocess.run([sys.executable, "-c", "from juesuan.console import run; run()", "batch",
                               "samples", "samples/broken", "-j", "1", "--report", str(report)],
                              cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
        if not report.exists():
            print(done.stdout + done.stderr, file=sys.stderr)
            return 2
        pages = workbook_to_pdf(openpyxl.load_workbook(report), DOCS / "batch-summary.pdf")
    subprocess.run(["pdftoppm", "-r", "110", "-png", "-f", "1", "-l", "1", "-singlefile",
                    str(DOCS / "batch-summary.pdf"), str(DOCS / "batch-summary-1")], check=True)
    print(f"docs/batch-summary.pdf（{pages} 页）、docs/batch-summary-1.png 已生成")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    sys.exit(main())
