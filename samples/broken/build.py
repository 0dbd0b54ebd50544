"""Build samples/broken/*.xlsx: copies of the clean samples, each with one typical clerk mistake.

    python samples/broken/build.py [OUT_DIR]

Each workbook is the clean sample opened with openpyxl, changed in a few cells and saved,
so everything else (layout, formats, validations) is exactly the clean sample's.
What each file gets wrong is listed in README.md next to this script.
"""
from __future__ import annotations

import sys
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
SAMPLES = HERE.parent


def row_of(ws, code: str) -> int:
    """Sheet row of a function code in column A of a code table (02 03 05 07 08)."""
    for (cell,) in ws.iter_rows(min_col=1, max_col=1):
        if str(cell.value).strip() == code:
            return cell.row
    raise LookupError(f"{ws.title}: code {code} not found")


def total_typed_wrong(wb) -> None:
    # 公开03 合计 本年支出合计: 500.07 typed as 500.70 (two digits swapped)
    wb["公开03"]["C6"] = 500.70


def text_in_amount(wb) -> None:
    # 公开05 2010301 行政运行 基本支出 757.06 typed with the letter O for the zero
    ws = wb["公开05"]
    ws.cell(row=row_of(ws, "2010301"), column=4).value = "757.O6"


def item_without_kuan(wb) -> None:
    # 公开03: the 款 row 20105 统计信息事务 deleted (its cells cleared), its 项 2010599 left alone
    ws = wb["公开03"]
    row = row_of(ws, "20105")
    for col in range(1, ws.max_column + 1):
        ws.cell(row=row, column=col).value = None


def class_rows_disagree(wb) -> None:
    # 公开01 支出: 社会保障和就业支出 (行次39, F13) and 卫生健康支出 (行次40, F14) typed into each other's row
    ws = wb["公开01"]
    ws["F13"], ws["F14"] = ws["F14"].value, ws["F13"].value


def missing_sheet(wb) -> None:
    # 公开06 deleted (the clerk thought it was not needed)
    del wb["公开06"]


def sangong_over_budget(wb) -> None:
    # 公开09 决算数 公务接待费 4.31 against a budget of 3.31; 决算 合计 follows
    ws = wb["公开09"]
    ws["L7"] = 4.31
    ws["G7"] = 46.01
    # the 其他公开事项 split of 公务接待费 follows (国内 3.31 -> 4.31), so over budget is the only defect
    from juesuan.domain.facts import fact_layout
    wb["其他公开事项"][f"B{fact_layout('其他公开事项').fact_rows['国内接待费']}"] = 4.31


BROKEN = {
    "total_typed_wrong.xlsx": ("liaocheng_bjb_2024", total_typed_wrong),
    "text_in_amount.xlsx": ("zibo_zhangdian_2024", text_in_amount),
    "item_without_kuan.xlsx": ("jinan_lixia_2023", item_without_kuan),
    "class_rows_disagree.xlsx": ("liaocheng_bjb_2024", class_rows_disagree),
    "missing_sheet.xlsx": ("zibo_zhangdian_2024", missing_sheet),
    "sangong_over_budget.xlsx": ("jinan_lixia_2023", sangong_over_budget),
}


def build(out_dir: Path = HERE) -> list[Path]:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (source, mistake) in BROKEN.items():
        wb = openpyxl.load_workbook(SAMPLES / f"{source}.xlsx")
        mistake(wb)
        target = out_dir / name
        wb.save(target)
        written.append(target)
    return written


if __name__ == "__main__":
    for path in build(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(path)
