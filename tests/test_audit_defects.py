"""Defects injected into the real samples: each fires its rule at its cell, and nothing else.

A defect is a few cell edits on the sheet grids of a clean sample, as the clerk would
make them in Excel; the grids go through the real reader (parse_grids) and the audit.
For every defect we assert
- the expected findings (rule, severity, sheet!cell) are there;
- the errors and warnings that are new against the clean sample are exactly the expected ones
  (a changed 项 that breaks its 款 must list that 款 too; nothing unrelated may appear);
- each new finding's message names its sheet and cell, and a relation finding its figures.
A few defects go through a real file (openpyxl write, read back) where the reader path matters.
"""
from __future__ import annotations

import importlib.util
import re
import shutil
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import openpyxl
import pytest

from juesuan.domain.catalog import load_catalog
from juesuan.domain.layout import parse_a1
from juesuan.domain.money import fmt
from juesuan.io.reader import read_grids
from juesuan.ops import check_book
from juesuan.rules.audit import audit
from juesuan.rules.findings import ERROR, INFO, WARNING
from juesuan.rules.parse import parse_grids

CATALOG = load_catalog()

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
BROKEN = SAMPLES / "broken"
J, L, Z = "jinan_lixia_2023", "liaocheng_bjb_2024", "zibo_zhangdian_2024"   # seeds 002, 000, 001
CODE_COLUMNS = "ABCDEFGHI"


# --- harness -------------------------------------------------------------------------
@lru_cache(maxsize=None)
def _clean_grids(name: str):
    return read_grids(SAMPLES / f"{name}.xlsx")


def grids(name: str) -> dict[str, list[list]]:
    """A private, editable copy of a clean sample's sheet grids."""
    return {sheet: [list(row) for row in rows] for sheet, rows in _clean_grids(name).items()}


def put(g, sheet: str, address: str, value) -> None:
    row, col = parse_a1(address)
    rows = g[sheet]
    while len(rows) < row:
        rows.append([])
    while len(rows[row - 1]) < col:
        rows[row - 1].append(None)
    rows[row - 1][col - 1] = value


def clear_row(sheet: str, row: int):
    """An edit: the clerk deleted everything on one row of a code table."""
    def edit(g):
        for letter in CODE_COLUMNS:
            put(g, sheet, f"{letter}{row}", None)
    return edit


def drop_sheet(sheet: str):
    def edit(g):
        del g[sheet]
    return edit


def run(g):
    return audit(parse_grids(g, "defect.xlsx"), load_catalog())


def key(f) -> str:
    return f"{f.rule}@{f.table}!{f.cell}" if f.cell else f"{f.rule}@{f.table}"


def keys(findings, severity: str) -> set[str]:
    return {key(f) for f in findings if f.severity == severity}


@lru_cache(maxsize=None)
def clean_findings(name: str):
    return tuple(run(grids(name)))


def apply(name: str, edits) -> list:
    g = grids(name)
    for edit in edits:
        if callable(edit):
            edit(g)
        else:
            put(g, *edit)
    return run(g)


def assert_actionable(f) -> None:
    """A clerk can act on the message: it names the sheet, the place and (for sums) the figures."""
    assert f.table in f.message, f.message
    if f.cell:
        row, _col = parse_a1(f.cell)
        assert f.cell in f.message or f"第{row}行" in f.message, f.message
    if f.rule.startswith("R"):
        assert fmt(f.expected) in f.message, f.message
        assert fmt(f.actual) in f.message or (f.actual == 0 and "空" in f.message), f.message
        assert f.difference == f.actual - f.expected


# --- the defects ---------------------------------------------------------------------
@dataclass
class Defect:
    id: str
    sample: str
    edits: list
    errors: set[str]                                  # exactly the new errors
    warnings: set[str] = field(default_factory=set)   # exactly the new warnings
    infos: set[str] = field(default_factory=set)      # must be present (尾差 may come and go)

    def __str__(self):
        return self.id


DEFECTS = [
    # ---- entry checks E01–E16
    Defect("E01 大写金额", J, [("公开02", "C9", "壹佰元")], {"E01@公开02!C9"}),
    Defect("E01 数字夹字母", J, [("公开05", "D9", "12,3a")], {"E01@公开05!D9"}),
    Defect("E01 错误值", Z, [("公开03", "E10", "#REF!")], {"E01@公开03!E10"}),
    Defect("E02 缺少公开08", L, [drop_sheet("公开08")], {"E02@公开08"}),
    Defect("E03 单位名称空", J, [("单位信息", "B3", None)], {"E03@单位信息!B3"}),
    Defect("E03 年度空", L, [("单位信息", "B4", None)], {"E03@单位信息!B4"}),
    Defect("E03 年度不是数字", J, [("单位信息", "B4", "二〇二三")], {"E03@单位信息!B4"}),
    Defect("E03 金额单位不对", Z, [("单位信息", "B5", "千元")], {"E03@单位信息!B5"}),
    # a 6-digit code: the row cannot be placed, so its 款 is left without 项
    Defect("E04 编码位数", J, [("公开02", "A13", "201059")], {"E04@公开02!A13"}, {"E09@公开02!A12"}),
    Defect("E05 目录外编码", J, [("公开02", "A13", "2010598")], set(), infos={"E05@公开02!A13"}),
    # a name unlike the catalogue's is also unlike the other tables' (which match the catalogue)
    Defect("E06 名称与目录不符", J, [("公开03", "B9", "行政运行费")], set(), {"E06@公开03!B9", "E07@公开03!B9"}),
    # seed 002 prints 专业事务… in 02 03 05; correcting it in 03 only leaves 03 unlike 02
    Defect("E07 表间名称不一致", J, [("公开03", "B10", "专项业务及机关事务管理")], set(), {"E07@公开03!B10"}),
    Defect("E08 项缺少款", J, [clear_row("公开02", 12)], {"E08@公开02!A13"}),
    Defect("E09 款下无项", J, [clear_row("公开02", 15)], set(), {"E09@公开02!A14"}),
    # 2010350 retyped as 2010305: the duplicate is ignored, so 20103 no longer adds up
    Defect("E10 编码重复", J, [("公开02", "A11", "2010305")],
           {"E10@公开02!A11", "R2.2@公开02!C8", "R2.2@公开02!D8"}),
    # 20129 and its 项 moved above 20105
    Defect("E11 编码顺序", J, [("公开02", "A12", "20129"), ("公开02", "B12", "群众团体事务"),
                           ("公开02", "C12", 8), ("公开02", "D12", 8),
                           ("公开02", "A13", "2012901"), ("公开02", "B13", "行政运行"),
                           ("公开02", "C13", 8), ("公开02", "D13", 8),
                           ("公开02", "A14", "20105"), ("公开02", "B14", "统计信息事务"),
                           ("公开02", "C14", 255.3), ("公开02", "D14", 255.3),
                           ("公开02", "A15", "2010599"), ("公开02", "B15", "其他统计信息事务支出"),
                           ("公开02", "C15", 255.3), ("公开02", "D15", 255.3)],
           set(), {"E11@公开02!A14"}),
    Defect("E12 三位小数", J, [("公开06", "C37", 32.151)], set(), {"E12@公开06!C37"}),
    # 使用非财政拨款结余 −1 balanced by 年初结转 +1: only the sign is odd
    Defect("E13 负数", Z, [("公开01", "C33", -1.0), ("公开01", "C34", 1.0)], set(), {"E13@公开01!C33"}),
    Defect("E14 缺编码", J, [("公开02", "A13", None)], {"E14@公开02!A13"}, {"E09@公开02!A12"}),
    Defect("E15 合计行有编码", J, [("公开02", "A6", "100")], {"E15@公开02!A6"}),
    Defect("E16 类不在26类", L, [("公开03", "A24", "230"), ("公开03", "B24", "转移性支出"), ("公开03", "C24", 0)],
           {"E16@公开03!A24"}, {"E09@公开03!A24"}, infos={"E05@公开03!A24"}),

    # ---- relations 1–17
    Defect("R1 本年收入合计录错", J, [("公开01", "C32", 5076.83)],
           {"R1.1@公开01!C32", "R1.2@公开01!C36", "R10.1@公开01!C32"}),
    Defect("R1 支出总计录错", L, [("公开01", "F36", 510.07)], {"R1.4@公开01!F36", "R1.5@公开01!F36"}),
    # a 项 retyped: its own row and its 款 break, the 类 (sum of 款) does not
    Defect("R2 项录错", J, [("公开02", "C9", 785.39)], {"R2.1@公开02!C9", "R2.2@公开02!C8"}),
    Defect("R3 项基本支出录错", L, [("公开03", "D9", 107.17)], {"R3.1@公开03!C9", "R3.2@公开03!D8"},
           {"R17.1@公开05!D9"}),
    Defect("R4 分资金录错", L, [("公开04", "G13", 17.61)],
           {"R4.4@公开04!F13", "R4.5@公开04!G32", "R13.2@公开04!G13"}),
    Defect("R4 年初结转", J, [("公开04", "C33", 20.0)], {"R4.2@公开04!C33", "R4.3@公开04!C37"},
           {"R17.2@公开01!C34"}),
    Defect("R5 项目支出录错", L, [("公开05", "E12", 66)], {"R5.1@公开05!C12", "R5.2@公开05!E11"},
           {"R17.1@公开05!E12"}),
    Defect("R6 人员经费合计录错", L, [("公开06", "C34", 119.76)], {"R6.2@公开06!C34", "R16.1@公开05!D6"}),
    Defect("R6 类不等于款", Z, [("公开06", "C8", 500.0)], {"R6.1@公开06!C7"}),
    Defect("R7 年末结转", Z, [("公开07", "H6", 1.0)], {"R7.2@公开07!H6", "R7.4@公开07!H6", "R14.5@公开04!H33"}),
    Defect("R7 基本支出", Z, [("公开07", "F6", 2.0)], {"R7.1@公开07!E6", "R7.4@公开07!F6"}),
    Defect("R8 基本支出", Z, [("公开08", "D6", 3.0)], {"R8.1@公开08!C6", "R8.3@公开08!D6"}),
    Defect("R9 三公合计", J, [("公开09", "G7", 45.10)], {"R9.1@公开09!G7"}, {"R17.4@公开09!G7"}),
    Defect("R9 公务用车小计", J, [("公开09", "I7", 1.0)], {"R9.1@公开09!G7", "R9.2@公开09!I7"},
           {"R17.4@公开09!I7"}),
    Defect("R10 其他收入", J, [("公开02", "I6", 1.63)],
           {"R10.3@公开01!C13", "R2.1@公开02!C6", "R2.3@公开02!I6"}),
    Defect("R10 财政拨款收入", L, [("公开02", "D6", 500.70)],
           {"R2.1@公开02!C6", "R2.3@公开02!D6", "R10.2@公开02!D6", "R12.2@公开04!C32"}),
    Defect("R11 类支出录错", L, [("公开01", "F14", 6.55)], {"R11.2@公开01!F14", "R1.3@公开01!F32"}),
    # 住房保障支出 is in 03 but the clerk left its 01 row (and the totals) without it
    Defect("R11 公开01缺类", L, [("公开01", "F24", None), ("公开01", "F32", 489.74), ("公开01", "F36", 489.74)],
           {"F03@公开01!F24", "R11.1@公开01!F32", "R1.5@公开01!F36"}),   # the blank grey F24: fill computes it
    Defect("R12 财政拨款收入不一致", J, [("公开04", "C6", 5056.48)],
           {"R12.1@公开01!C6", "R4.1@公开04!C32", "R4.8@公开04!G33"}),
    Defect("R13 合计小计录错", L, [("公开05", "C6", 500.70)],
           {"R5.1@公开05!C6", "R5.3@公开05!C6", "R13.1@公开04!G32"}, {"R17.1@公开05!C6"}),
    Defect("R14 政府性基金", Z, [("公开04", "H16", 2.0)],
           {"R4.4@公开04!F16", "R4.5@公开04!H32", "R14.2@公开04!H16"}),
    Defect("R15 国有资本经营", Z, [("公开04", "I16", 2.0)],
           {"R4.4@公开04!F16", "R4.5@公开04!I32", "R15.2@公开04!I16"}),
    Defect("R16 公用经费合计录错", J, [("公开06", "C98", 118.98)], {"R6.3@公开06!C98", "R16.1@公开05!D6"}),
    Defect("R17.1 公开05大于公开03", L, [("公开03", "C12", 50), ("公开03", "E12", 50)],
           {"R3.2@公开03!C11", "R3.2@公开03!E11"}, {"R17.1@公开05!C12", "R17.1@公开05!E12"}),
    # 04 shows a carry-over (consistent within 04) that 01 does not: warnings only
    Defect("R17.2/R17.3 结转结余", Z, [("公开04", "C33", 5.0), ("公开04", "C34", 5.0), ("公开04", "C37", 1230.21),
                                  ("公开04", "F33", 5.0), ("公开04", "G33", 5.0),
                                  ("公开04", "F37", 1230.21), ("公开04", "G37", 1230.21)],
           set(), {"R17.2@公开01!C34", "R17.3@公开01!F34"}),
    Defect("R17.4 三公超预算", J, [("公开09", "H7", 42.69), ("公开09", "G7", 46.01)],
           set(), {"R17.4@公开09!G7", "R17.4@公开09!H7"}),
    # 其他公开事项 B11 国内接待费 follows 公开09 L7, so R18.9 (its split against L7) stays quiet
    Defect("R17.5 三公少于公开06", J, [("公开09", "L7", 2.31), ("公开09", "G7", 44.01), ("其他公开事项", "B11", 2.31)],
           set(), {"R17.5@公开09!L7"}),
]


def test_clean_samples_have_no_errors():
    for name in (J, L, Z):
        assert keys(clean_findings(name), ERROR) == set(), name


def test_every_family_and_entry_check_is_exercised():
    rules = {k.split("@")[0] for d in DEFECTS for k in d.errors | d.warnings | d.infos}
    families = {r.split(".")[0] for r in rules if r.startswith("R")}
    assert families == {f"R{n}" for n in range(1, 18)}
    assert {f"E{n:02d}" for n in range(1, 17)} <= rules
    assert len(DEFECTS) >= 25


@pytest.mark.parametrize("defect", DEFECTS, ids=str)
def test_defect_fires_its_rule_at_its_cell_and_nothing_else(defect: Defect):
    before = clean_findings(defect.sample)
    after = apply(defect.sample, defect.edits)
    new_errors = keys(after, ERROR) - keys(before, ERROR)
    new_warnings = keys(after, WARNING) - keys(before, WARNING)
    assert new_errors == defect.errors
    assert new_warnings == defect.warnings
    assert defect.infos <= keys(after, INFO)
    old = {(key(f), f.severity) for f in before}
    for f in after:
        if (key(f), f.severity) not in old:
            assert_actionable(f)


# --- the rounding envelope -------------------------------------------------------------
@pytest.mark.parametrize("delta, severity", [("0.01", INFO), ("0.02", ERROR)])
def test_gap_on_two_figures_within_and_beyond_the_envelope(delta, severity):
    # seed 000 公开09 预算数: 公务用车小计 3.76 = 运行维护费 3.76 (购置费 blank): two figures,
    # envelope 2 × 0.005 = 0.01. The clerk retypes 运行维护费 3.76 + delta.
    after = apply(L, [("公开09", "E7", float(Decimal("3.76") + Decimal(delta)))])
    f = next(f for f in after if key(f) == "R9.2@公开09!C7")
    assert f.severity == severity
    assert (f.actual, f.expected, f.difference) == (Decimal("3.76"), Decimal("3.76") + Decimal(delta), -Decimal(delta))
    assert ("在尾差范围内" in f.message) == (severity == INFO)
    assert keys(after, ERROR) == ({"R9.2@公开09!C7"} if severity == ERROR else set())
    assert keys(after, WARNING) == set()


@pytest.mark.parametrize("delta, severity", [("0.01", INFO), ("0.02", ERROR)])
def test_gap_between_two_tables_within_and_beyond_the_envelope(delta, severity):
    # 公开04 行次1 500.07 -> 500.07 + delta: 公开01 行次1 (R12.1) and 公开04 行次27 (R4.1)
    # each compare two typed figures
    after = apply(L, [("公开04", "C6", float(Decimal("500.07") + Decimal(delta)))])
    by_key = {key(f): f for f in after}
    for k in ("R12.1@公开01!C6", "R4.1@公开04!C32"):
        f = by_key[k]
        assert f.severity == severity
        assert f.difference == -Decimal(delta)
        assert ("在尾差范围内" in f.message) == (severity == INFO)


def test_a_cent_is_an_error_in_yuan():
    # seed 000 公开06 302 20.73 vs its 款 20.74: 尾差 in 万元, an error when the unit is 元
    after = apply(L, [("单位信息", "B5", "元")])
    errors = [f for f in after if f.severity == ERROR]
    assert [key(f) for f in errors] == ["R6.1@公开06!C36"]
    assert errors[0].difference == Decimal("-0.01") and "尾差" not in errors[0].message


@pytest.mark.parametrize("name", [J, L, Z])
def test_in_yuan_every_rounding_gap_becomes_an_error(name):
    infos = keys(clean_findings(name), INFO) - {k for k in keys(clean_findings(name), INFO) if k.startswith("E")}
    after = apply(name, [("单位信息", "B5", "元")])
    assert keys(after, ERROR) == infos
    assert keys(after, INFO) == {k for k in keys(clean_findings(name), INFO) if k.startswith("E")}


def test_blank_target_reads_blank_not_zero():
    # a typed figure left blank (公开04 年末 by fund) reads 空; a blank derived cell is F03's (issue #12 item 9)
    after = apply(J, [("公开04", "C6", 5056.48)])
    f = next(f for f in after if key(f) == "R4.8@公开04!G33")
    assert f.actual == 0 and f.expected == Decimal("-9.00")
    assert "一般公共预算财政拨款 空 ≠ 行次29" in f.message
    f = next(f for f in apply(L, [("公开01", "F24", None)]) if f.rule == "F03")
    assert f.message.startswith("有 1 个自动计算单元格为空，请先运行填充计算（灰色单元格，如 公开01!F24）")


def test_messages_name_the_columns_a_clerk_sees():
    def message(name, edits, k):
        return next(f.message for f in apply(name, edits) if key(f) == k)
    assert message(J, [("公开09", "I7", 1.0)], "R9.2@公开09!I7") == (
        "公开09 I7 决算数 公务用车购置及运行维护费小计 1.00 ≠ 公务用车购置费 + 公务用车运行维护费 0.00（差 +1.00）")
    assert message(J, [("公开04", "C6", 5056.48)], "R4.8@公开04!G33") == (
        "公开04 G33 行次60 年末财政拨款结转和结余 一般公共预算财政拨款 空 ≠ "
        "行次29 年初结转和结余 + 行次1 本年收入 − 行次59 本年支出 -9.00（差 +9.00）")
    assert message(Z, [("公开04", "H16", 2.0)], "R14.2@公开04!H16") == (
        "公开04 H16 行次43 十一、城乡社区支出 政府性基金预算财政拨款 2.00 ≠ "
        "公开07 212（本表未列此科目） 本年支出小计 0.00（差 +2.00）")
    assert message(Z, [("单位信息", "B5", "千元")], "E03@单位信息!B5").startswith("单位信息：金额单位（B5）")


def test_duplicate_message_points_at_both_rows():
    after = apply(J, [("公开02", "A11", "2010305")])
    f = next(f for f in after if f.rule == "E10")
    assert "第11行" in f.message and "第10行" in f.message and "2010305" in f.message


# --- through a real file (the reader path) -------------------------------------------
def _edited_copy(tmp_path, name, edit) -> Path:
    target = tmp_path / f"{name}.xlsx"
    wb = openpyxl.load_workbook(SAMPLES / f"{name}.xlsx")
    edit(wb)
    wb.save(target)
    return target


def test_text_amount_in_a_file(tmp_path):
    def edit(wb):
        wb["公开02"]["C9"] = "12,3a"
    result = check_book(_edited_copy(tmp_path, J, edit), CATALOG)
    errors = [f for f in result.findings if f.severity == ERROR]
    assert [key(f) for f in errors] == ["E01@公开02!C9"]
    assert "“12,3a”不是金额" in errors[0].message and "2010301 行政运行" in errors[0].message


def test_missing_sheet_in_a_file(tmp_path):
    def edit(wb):
        del wb["公开09"]
    result = check_book(_edited_copy(tmp_path, J, edit), CATALOG)
    assert keys(result.findings, ERROR) == {"E02@公开09"}
    # the 三公 comparisons with a missing sheet are not echoed as further findings
    assert not [f for f in result.findings if f.rule in ("R9.1", "R9.2", "R17.4", "R17.5")]


def _write_raw_values(path: Path, sheet: str, values: dict[str, str]) -> None:
    """Put cached values into the sheet XML exactly as Excel writes a formula result (17 digits);
    openpyxl itself would round them to 16."""
    index = openpyxl.load_workbook(path, read_only=True).sheetnames.index(sheet) + 1
    member = f"xl/worksheets/sheet{index}.xml"
    with zipfile.ZipFile(path) as archive:
        parts = {info: archive.read(info.filename) for info in archive.infolist()}
    for info in parts:
        if info.filename == member:
            xml = parts[info].decode("utf-8")
            for address, text in values.items():
                xml, count = re.subn(rf'(<c r="{address}"[^>]*>)<v>[^<]*</v>', rf"\g<1><v>{text}</v>", xml)
                assert count == 1, address
            parts[info] = xml.encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in parts.items():
            archive.writestr(info, data)


def test_float_noise_of_a_formula_result_is_not_a_finding(tmp_path):
    # Excel caches =C7+C21 (1688.81 + 0.07) as the double 1688.8799999999999; a clerk sees 1688.88
    assert 1688.81 + 0.07 == 1688.8799999999999
    path = tmp_path / "formulas.xlsx"
    shutil.copy(SAMPLES / f"{J}.xlsx", path)
    _write_raw_values(path, "公开06", {"C34": repr(1688.81 + 0.07), "C7": "1688.8099999999999"})
    assert openpyxl.load_workbook(path, data_only=True)["公开06"]["C34"].value == 1688.8799999999999
    result = check_book(path, CATALOG)
    assert {(key(f), f.severity) for f in result.findings} == {(key(f), f.severity) for f in clean_findings(J)}
    assert not [f for f in result.findings if f.rule == "E12"]


# --- samples/broken --------------------------------------------------------------------
BROKEN_EXPECTED = {
    # file: (clean source, new errors, new warnings)
    "total_typed_wrong.xlsx": (L, {"R3.3@公开03!C6", "R3.1@公开03!C6", "R11.1@公开01!F32"}, set()),
    "text_in_amount.xlsx": (Z, {"E01@公开05!D9"}, set()),
    "item_without_kuan.xlsx": (J, {"E08@公开03!A13"}, {"R17.1@公开05!C12", "R17.1@公开05!E12"}),
    "class_rows_disagree.xlsx": (L, {"R11.2@公开01!F13", "R11.2@公开01!F14"}, set()),
    "missing_sheet.xlsx": (Z, {"E02@公开06"}, set()),
    "sangong_over_budget.xlsx": (J, set(), {"R17.4@公开09!L7", "R17.4@公开09!G7"}),
}


def _check_broken(path: Path, name: str):
    source, errors, warnings = BROKEN_EXPECTED[name]
    result = check_book(path, CATALOG)
    assert keys(result.findings, ERROR) - keys(clean_findings(source), ERROR) == errors, name
    assert keys(result.findings, WARNING) - keys(clean_findings(source), WARNING) == warnings, name
    assert result.has_errors == bool(errors)


@pytest.mark.parametrize("name", sorted(BROKEN_EXPECTED))
def test_broken_sample_gives_its_intended_finding(name):
    _check_broken(BROKEN / name, name)


def test_broken_samples_are_listed_and_rebuild(tmp_path):
    files = sorted(p.name for p in BROKEN.glob("*.xlsx"))
    assert files == sorted(BROKEN_EXPECTED)
    readme = (BROKEN / "README.md").read_text(encoding="utf-8")
    for name in files:
        assert f"`{name}`" in readme
    spec = importlib.util.spec_from_file_location("broken_build", BROKEN / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for path in module.build(tmp_path):
        _check_broken(path, path.name)
