"""上年数 and 其他公开事项 in real files: the samples hold what their seed text states, a workbook
without the sheets is checked exactly as before, a damaged sheet is reported, and
`fill --last-year` fills 上年数 from last year's workbook."""
from __future__ import annotations

import shutil
import sys
from decimal import Decimal as D
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from juesuan.cli import main
from juesuan.domain.catalog import load_catalog
from juesuan.domain.facts import fact_layout
from juesuan.io.reader import read_grids, read_report
from juesuan.ops import check_grids

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import sample_path  # noqa: E402
from helpers import grids_of  # noqa: E402

CATALOG = load_catalog()
LAST, OTHER = "上年数", "其他公开事项"

# Figures of the samples' fact sheets as each seed's 情况说明 states them (or implies them: a
# last-year figure is this year's ∓ the stated change), with the line that says so.
SEED_FACTS = {
    "liaocheng_bjb_2024": {
        (LAST, "总计"): D("403.22"),             # S0:379 500.07 − 96.85
        (LAST, "财政拨款收入"): D("403.11"),     # S0:401 500.07 − 96.96
        (LAST, "基本支出"): D("143.11"),         # S0:420 140.4 + 2.71
        (LAST, "项目支出"): D("260.11"),         # S0:422 359.67 − 99.56
        (OTHER, "年初预算"): D("386.03"),        # S0:461
        (OTHER, "公务用车保有量"): 3,            # S0:511
        (OTHER, "车辆总数"): 3,                  # S0:529
        (OTHER, "车辆:其他用车"): 3,
        (OTHER, "采购总额"): D("0"),             # S0:525
        (OTHER, "自评项目数"): 5,                # S0:535
        (OTHER, "自评资金"): D("359.67"),
    },
    "zibo_zhangdian_2024": {
        (LAST, "总计"): D("1247.32"),            # S1:408 1,225.21 + 22.11
        (LAST, "基本支出"): D("1015.43"),        # S1:440 1,018.8 − 3.37
        (LAST, "项目支出"): D("231.89"),         # S1:441 206.41 + 25.48
        (OTHER, "年初预算"): D("1241.94"),       # S1:485
        (OTHER, "出国团组数"): 1, (OTHER, "出国人次"): 1,          # S1:535
        (OTHER, "公务用车保有量"): 5,            # S1:539
        (OTHER, "国内接待费"): D("0.28"), (OTHER, "国内接待批次"): 2, (OTHER, "国内接待人次"): 15,   # S1:543
        (OTHER, "机关运行经费"): D("72.33"),     # S1:547
        (OTHER, "机关运行经费年初预算"): D("82.04"),   # 72.33 + 9.71
        (OTHER, "采购总额"): D("8.95"), (OTHER, "采购货物"): D("5.08"), (OTHER, "采购服务"): D("3.86"),
        (OTHER, "中小企业"): D("7.95"), (OTHER, "小微企业"): D("7.95"),
        (OTHER, "服务中小企业"): D("2.87"),      # 7.95 − 5.08: 74.35% of 3.86 (S1:551)
        (OTHER, "车辆:机要通信用车"): 5,         # S1:555
        (OTHER, "自评资金"): D("228.79"),        # S1:559
    },
    "jinan_lixia_2023": {
        (LAST, "总计"): D("4901.53"),            # S2:407 5,076.54 − 175.01
        (LAST, "财政拨款收支总计"): D("3945.22"),  # S2:466 5,065.48 − 1,120.26
        (LAST, "其他收入"): D("0"),              # S2:437 增加 1.36, no percentage
        (OTHER, "年初预算"): D("5173.80"),       # Σ of the ten 项 S2:498–520 (the stated 4,901.53 is the seed's slip)
        (OTHER, "出国团组数"): 6, (OTHER, "出国人次"): 11,          # S2:546
        (OTHER, "国内接待批次"): 21, (OTHER, "国内接待人次"): 218,   # S2:556
        (OTHER, "外事接待批次"): 2, (OTHER, "外事接待人次"): 50,
        (OTHER, "机关运行经费"): D("76.79"), (OTHER, "机关运行经费年初预算"): D("76.69"),   # S2:564 76.79 − 0.1
        (OTHER, "采购总额"): D("2761.11"), (OTHER, "服务中小企业"): D("2761.11"),   # S2:568 (54.81% is the slip)
        (OTHER, "自评资金"): D("3329.50"),       # S2:578
    },
}
BUDGET_ITEMS = {   # (code, 年初预算) of every 项, in 05 order
    "liaocheng_bjb_2024": [("2010350", "103.81"), ("2010399", "190.00"), ("2014004", "60.00"), ("2014099", "0.00"),
                           ("2080505", "11.14"), ("2080506", "5.57"), ("2101102", "5.65"), ("2210201", "9.86")],
    "zibo_zhangdian_2024": [("2010301", "757.10"), ("2010302", "132.15"), ("2010305", "93.90"), ("2010399", "0.00"),
                            ("2080501", "20.32"), ("2080505", "92.80"), ("2080506", "0.00"), ("2089999", "3.25"),
                            ("2101101", "63.11"), ("2210201", "79.31")],
    "jinan_lixia_2023": [("2010301", "703.96"), ("2010305", "3329.50"), ("2010350", "532.07"), ("2010599", "255.30"),
                         ("2012901", "8.00"), ("2080199", "16.97"), ("2080505", "138.00"), ("2080506", "70.00"),
                         ("2101101", "67.00"), ("2101102", "53.00")],
}


@pytest.mark.parametrize("name", list(SEED_FACTS))
def test_sample_fact_sheets_hold_the_seed_figures(name):
    report = read_report(sample_path(name))
    got = {(sheet, key): report.facts[sheet].value(key) for sheet, key in SEED_FACTS[name]}
    assert got == SEED_FACTS[name]
    items = report.facts[OTHER].items
    assert [(i.code, i.budget) for i in items] == [(c, D(b)) for c, b in BUDGET_ITEMS[name]]


def without_fact_sheets(grids):
    return {name: rows for name, rows in grids.items() if name not in (LAST, OTHER)}


@pytest.mark.parametrize("name", list(SEED_FACTS))
def test_a_workbook_without_the_new_sheets_checks_as_before(name):
    grids = grids_of(sample_path(name))
    with_sheets = check_grids(grids, CATALOG, "x.xlsx")
    old = check_grids(without_fact_sheets(grids), CATALOG, "x.xlsx")
    assert not old.report.facts[LAST].present and not old.report.facts[OTHER].present
    assert [f.key for f in old.findings] == [f.key for f in with_sheets.findings if f.table not in (LAST, OTHER)]
    assert all(f.table not in (LAST, OTHER) for f in old.findings)


def test_both_readers_give_the_fact_sheets_alike():
    path = sample_path("zibo_zhangdian_2024")
    lean, full = read_grids(path, "fast"), read_grids(path, "openpyxl")
    assert lean[OTHER] == full[OTHER] and lean[LAST] == full[LAST] and lean[OTHER]


def test_damaged_fact_sheet_is_reported_and_not_read():
    grids = grids_of(sample_path("zibo_zhangdian_2024"))
    lay = fact_layout(OTHER)
    row = lay.fact_rows["出国人次"]
    grids[OTHER][row - 1][1] = "三"                       # a count in words
    result = check_grids(grids, CATALOG, "x.xlsx")
    assert [(f.rule, f.cell) for f in result.findings if f.table == OTHER] == [("E30", f"B{row}"), ("R18.1", "B25")]
    grids[OTHER].insert(5, [None] * len(grids[OTHER][0]))  # a row inserted: every label below moves
    result = check_grids(grids, CATALOG, "x.xlsx")
    assert [(f.rule, f.cell) for f in result.findings if f.table == OTHER] == [("E31", "A6")]
    assert not result.report.facts[OTHER].present


def test_fill_last_year_writes_only_the_last_year_sheet(tmp_path):
    this = tmp_path / "本年.xlsx"
    last = tmp_path / "上年.xlsx"
    shutil.copy(sample_path("zibo_zhangdian_2024"), this)
    book = openpyxl.load_workbook(sample_path("zibo_zhangdian_2024"))
    book["单位信息"]["B4"] = 2023
    book["公开01"]["C36"] = 1247.32        # 行次31 总计 of "last year" (S1:408 1,225.21 + 22.11)
    book.save(last)
    before = openpyxl.load_workbook(this)
    result = CliRunner().invoke(main, ["fill", str(this), "--last-year", str(last), "--in-place"])
    assert result.exit_code == 0, result.output
    after = openpyxl.load_workbook(this)
    row = fact_layout(LAST).fact_rows["总计"]
    assert after[LAST][f"B{row}"].value == 1247.32
    row_basic = fact_layout(LAST).fact_rows["基本支出"]
    assert after[LAST][f"B{row_basic}"].value == 1018.8      # 2024's figure, copied as "last year's"
    assert f"改写 上年数!B{row_basic}（基本支出）：1,015.43 → 1,018.80" in result.output
    for sheet in ("单位信息", OTHER):          # fill also rewrites the 尾差 cells of the tables, as always
        assert [[c.value for c in r] for r in after[sheet].iter_rows()] == \
               [[c.value for c in r] for r in before[sheet].iter_rows()]


def test_fill_last_year_names_an_unusable_last_year_book(tmp_path):
    this = tmp_path / "本年.xlsx"
    shutil.copy(sample_path("liaocheng_bjb_2024"), this)
    result = CliRunner().invoke(main, ["fill", str(this), "--last-year", str(tmp_path / "没有.xlsx")])
    assert result.exit_code == 2
    assert "上年工作簿" in result.output and "没有.xlsx" in result.output and "文件不存在" in result.output
