"""A workbook with about 9,900 code rows in 公开02 (for bench_speed.py): 10 类 × 10 款 × 97 项.

Built from the jinan sample: 公开02 keeps its heading and 合计 row, then lists every 类, 款 and
项 row in order; only the 项 rows carry amounts (what a clerk types), so fill computes the 款, 类
and 合计 figures. The codes are made up (类 301–310 are no function class): a catalogue CSV with
their names is written beside the workbook so the check finds no catalogue problems.
"""
from __future__ import annotations

from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "jinan_lixia_2023.xlsx"
CLASSES, KUANS, XIANGS = 10, 10, 97


def code_rows(classes: int = CLASSES, kuans: int = KUANS, xiangs: int = XIANGS) -> list[tuple[str, str, int | None]]:
    """(code, name, amount in the first income column or None) in sheet order."""
    rows = []
    for c in range(classes):
        lei = f"{801 + c}"
        rows.append((lei, f"测试类{lei}", None))
        for k in range(1, kuans + 1):
            kuan = f"{lei}{k:02d}"
            rows.append((kuan, f"测试款{kuan}", None))
            for x in range(1, xiangs + 1):
                xiang = f"{kuan}{x:02d}"
                rows.append((xiang, f"测试项{xiang}", (c * 7 + k * 3 + x) % 50 + 1))
    return rows


def make_big_workbook(folder: Path, **sizes) -> tuple[Path, Path]:
    """(workbook, catalogue CSV) in `folder`; `sizes`: classes, kuans, xiangs (default 10, 10, 97)."""
    rows = code_rows(**sizes)
    catalog = folder / "big_catalog.csv"
    catalog.write_text("code,name\n" + "".join(f"{code},{name}\n" for code, name, _ in rows), encoding="utf-8")
    workbook = openpyxl.load_workbook(SAMPLE)
    sheet = workbook["公开02"]
    first = 7                                   # the row under 合计
    sheet.delete_rows(first, sheet.max_row - first + 1)
    for offset, (code, name, amount) in enumerate(rows):
        row = first + offset
        sheet.cell(row=row, column=1, value=code).number_format = "@"
        sheet.cell(row=row, column=2, value=name)
        if amount is not None:
            sheet.cell(row=row, column=3, value=amount)
            sheet.cell(row=row, column=4, value=amount)
    path = folder / f"big_{len(rows)}.xlsx"
    workbook.save(path)
    return path, catalog


if __name__ == "__main__":
    import sys
    print(make_big_workbook(Path(sys.argv[1] if len(sys.argv) > 1 else ".")))
