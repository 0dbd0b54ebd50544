"""Filling derived cells with the same relations the audit checks."""
from collections import Counter
from decimal import Decimal

import openpyxl
from click.testing import CliRunner
from conftest import sample_path
from helpers import cell_snapshot, grids_of

from juesuan.cli import main
from juesuan.domain.model import Ref
from juesuan.io.reader import read_report
from juesuan.rules.audit import audit
from juesuan.rules.fill import fill_report
from juesuan.rules.parse import parse_grids
from juesuan.rules.relations import Derivation, derived_refs, relations_for

D = Decimal
HALF_CENT = D("0.005")

# How many derived cells of each published document differ from their recomputation
# (all 尾差), with a few verified by hand against the seed text.
ROUNDING_GAPS = {
    "liaocheng_bjb_2024": (2, {("公开06", "C36"): ("20.73", "20.74")}),
    "zibo_zhangdian_2024": (30, {("公开02", "C8"): ("963.47", "963.46"), ("公开06", "C36"): ("72.33", "72.34"),
                                 ("公开03", "D6"): ("1018.80", "1018.81")}),
    "jinan_lixia_2023": (37, {("公开02", "C8"): ("4477.06", "4477.07"), ("公开09", "A7"): ("45.01", "45.00"),
                              ("公开06", "C36"): ("118.89", "118.87"), ("公开04", "G33"): (None, "-0.01")}),
}


def test_every_derived_cell_is_solved_by_exactly_one_relation(sample_name):
    relations = relations_for(read_report(sample_path(sample_name)))
    counts = Counter(r.solves for r in relations if r.solves is not None)
    assert counts and max(counts.values()) == 1
    Derivation(read_report(sample_path(sample_name)), relations)   # raises RelationCycle on a cycle


def test_clear_derived_cells_fill_and_get_the_published_figures_back(sample_copy, sample_name):
    published = read_report(sample_copy)
    derived = derived_refs(relations_for(published))
    wb = openpyxl.load_workbook(sample_copy)
    for ref in derived:
        cell = published.cell(ref)
        wb[ref.table][cell.address].value = None
    wb.save(sample_copy)

    result = CliRunner().invoke(main, ["fill", str(sample_copy), "--in-place"])
    assert result.exit_code == 0, result.output
    filled = read_report(sample_copy)

    differing = {}
    derivation = Derivation(published, relations_for(published))
    for ref in derived:
        old, new = published.value(ref), filled.value(ref)
        if (old or 0) != (new or 0):
            differing[(ref.table, published.cell(ref).address)] = (old, new)
            # every difference is rounding: within 0.005 per rounded figure involved
            assert abs((old or 0) - (new or 0)) <= HALF_CENT * (derivation.leaves(ref) + 1), (ref, old, new)
    count, examples = ROUNDING_GAPS[sample_name]
    assert len(differing) == count
    for key, (old, new) in examples.items():
        assert differing[key] == (None if old is None else D(old), D(new))
    errors = [f for f in audit(filled) if f.severity == "error"]
    assert errors == []


def test_a_wrong_total_is_overwritten_and_reported_with_old_and_new(sample_copy, sample_name):
    wb = openpyxl.load_workbook(sample_copy)
    wb["公开05"]["C6"].value = 999999      # 合计 小计 typed by hand, wrong
    wb.save(sample_copy)
    result = CliRunner().invoke(main, ["fill", str(sample_copy), "--in-place"])
    assert result.exit_code == 0, result.output
    assert "改写 公开05!C6：999,999.00 →" in result.output
    ws = openpyxl.load_workbook(sample_copy)["审核结果"]
    rows = [r for r in ws.iter_rows(min_row=6, values_only=True) if r[2] == "F01"]
    assert [(r[3], r[4]) for r in rows] == [("公开05", "公开05!C6")]
    assert "999,999.00" in rows[0][5] and "已覆盖" in rows[0][5]
    assert read_report(sample_copy).value(Ref("公开05", "合计", 1)) != 999999


def test_filling_twice_changes_nothing_the_second_time(sample_copy, tmp_path):
    once, twice = tmp_path / "once.xlsx", tmp_path / "twice.xlsx"
    assert CliRunner().invoke(main, ["fill", str(sample_copy), "-o", str(once)]).exit_code == 0
    result = CliRunner().invoke(main, ["fill", str(once), "-o", str(twice)])
    assert "计算了 0 个单元格" in result.output
    skip = {"审核结果"}
    assert cell_snapshot(once, skip, ignore_fill=True) == cell_snapshot(twice, skip, ignore_fill=True)
    # a third run on an unchanged, already-filled book does not even move our highlights
    thrice = tmp_path / "thrice.xlsx"
    CliRunner().invoke(main, ["fill", str(twice), "-o", str(thrice)])
    assert cell_snapshot(twice, skip) == cell_snapshot(thrice, skip)


def test_fill_without_output_is_a_dry_run(sample_copy):
    wb = openpyxl.load_workbook(sample_copy)
    wb["公开01"]["C32"].value = 1
    wb.save(sample_copy)
    before = sample_copy.read_bytes()
    result = CliRunner().invoke(main, ["fill", str(sample_copy)])
    assert "未写入文件" in result.output and "改写 公开01!C32" in result.output
    assert sample_copy.read_bytes() == before


def test_in_yuan_the_arithmetic_is_exact():
    """In 元 nothing is forgiven as 尾差: the 0.01 万元 that seed 000's 05 and 06 leaves disagree
    by becomes an exact 100.00 元 error, and goes away when the leaf is corrected."""
    report = parse_grids(grids_of(sample_path("liaocheng_bjb_2024")))
    derived = derived_refs(relations_for(report))
    for ref, cell in report.iter_cells():
        cell.value = None if ref in derived else (None if cell.value is None else cell.value * 10000)
    report.info["amount_unit"].value = "元"
    filled = fill_report(report)
    assert not any(c.overwrote for c in filled.changes)
    findings = [f for f in audit(report) if f.rule.startswith("R")]
    assert [(f.rule, f.severity, f.table, f.cell, f.difference) for f in findings] == [
        ("R16.1", "error", "公开05", "D6", D("-100.00"))]
    report.cell(Ref("公开06", "30201", 1)).value -= 100     # the clerk corrects 办公费
    fill_report(report)
    assert [f for f in audit(report) if f.rule.startswith("R")] == []
    # and a single cent is an error, not 尾差
    report.cell(Ref("公开05", "合计", 1)).value += D("0.01")
    assert ("R5.1", "error", "C6") in {(f.rule, f.severity, f.cell) for f in audit(report)}
