"""Fill never invents or loses a figure, and check says plainly what fill has not done yet (issue #12)."""
from decimal import Decimal

from conftest import sample_path

from juesuan.domain.catalog import load_catalog
from juesuan.domain.model import Ref
from juesuan.io.reader import read_report
from juesuan.rules.audit import audit
from juesuan.rules.fill import fill_report
from juesuan.rules.relations import derived_refs, relations_for

D = Decimal
CATALOG = load_catalog()


def errors(report):
    return [f for f in audit(report, CATALOG) if f.severity == "error"]


def at(findings, rule):
    return {(f.table, f.cell) for f in findings if f.rule == rule}


# --- 1: balances come from the accounts, fill never derives them as a remainder -------------
BALANCES = (
    [Ref("公开01", str(line), 1) for line in (28, 29)]
    + [Ref("公开01", str(line), 2) for line in (59, 60)]
    + [Ref("公开04", str(line), 1) for line in (29, 30, 31)]
    + [Ref("公开04", "60", col) for col in (3, 4, 5)]
)


def test_no_balance_is_derived(sample_name):
    report = read_report(sample_path(sample_name))
    derived = derived_refs(relations_for(report, CATALOG))
    assert [ref for ref in BALANCES if ref in derived] == []
    # 公开07 年末结转和结余 (栏次6) and 年初 (栏次1) of a 项 row are typed, like every balance
    items = [row.key for row in report.tables["公开07"].code_rows() if len(row.code) == 7]
    assert [ref for ref in derived if ref.table == "公开07" and ref.key in items and ref.no in (1, 6)] == []


def test_a_typo_in_a_leaf_is_an_error_at_the_per_fund_balance_not_absorbed():
    """公开05 2010399 项目支出 190.00 typed as 109.00: the typed 年末 (blank) stays, the balance does not hold."""
    report = read_report(sample_path("liaocheng_bjb_2024"))
    report.cell(Ref("公开05", "2010399", 3)).value = D("109.00")
    fill_report(report, CATALOG)
    assert report.value(Ref("公开04", "60", 3)) is None
    assert report.value(Ref("公开01", "60", 2)) is None
    found = errors(report)
    assert ("公开04", "G33") in at(found, "R4.8"), [f.message for f in found]
    balance = next(f for f in found if f.rule == "R4.8")
    assert balance.difference == D("-81.00") and "年末" in balance.message


def test_totals_that_rest_on_a_balance_are_derived_from_their_other_side():
    report = read_report(sample_path("jinan_lixia_2023"))
    relations = relations_for(report, CATALOG)
    solver = {r.solves: r for r in relations if r.solves is not None}
    assert solver[Ref("公开01", "62", 2)].rule == "R1.4"
    for col in (2, 3, 4, 5):
        assert solver[Ref("公开04", "64", col)].rule == "R4.6"
    assert solver[Ref("公开04", "60", 2)].rule == "R4.4"     # the 合计 of the three typed funds


# --- 2: an unreadable input blocks what depends on it ------------------------------------------
def test_an_unreadable_input_leaves_its_dependents_as_they_are():
    """公开05 D9 holds "757.O6": the 13 totals that rest on it keep their figures, fill names them."""
    report = read_report(sample_path("broken/text_in_amount"))
    before = {ref: cell.value for ref, cell in report.iter_cells()}
    result = fill_report(report, CATALOG)
    notes = [f for f in result.findings if f.rule == "F04"]
    assert len(notes) == 1
    note = notes[0]
    assert (note.table, note.cell, note.severity) == ("公开05", "D9", "warning")
    assert {"C9", "D8", "D7", "D6", "C6", "公开04!G6", "公开04!F32", "公开04!G32"} <= set(note.cells)
    assert len(note.cells) == 13
    assert "公开05 D9" in note.message and "13 个自动计算单元格未计算" in note.message
    changed = {(c.table, c.address) for c in result.changes}
    for address in note.cells:
        sheet, _, cell = address.rpartition("!")
        assert (sheet or "公开05", cell) not in changed
    assert report.value(Ref("公开05", "合计", 1)) == before[Ref("公开05", "合计", 1)] == D("1225.21")


def test_a_blocked_fill_still_computes_what_does_not_depend_on_the_bad_cell():
    report = read_report(sample_path("broken/text_in_amount"))
    report.cell(Ref("公开02", "合计", 1)).value = D("1")
    result = fill_report(report, CATALOG)
    assert ("公开02", "C6") in {(c.table, c.address) for c in result.changes}


# --- 4: rounding residue never lands in a blank cell ---------------------------------------------
def test_fill_writes_no_rounding_residue_into_blank_cells():
    report = read_report(sample_path("jinan_lixia_2023"))
    result = fill_report(report, CATALOG)
    into_blanks = [(c.table, c.address, c.new) for c in result.changes if c.old is None and c.new not in (None, 0)]
    assert into_blanks == []
    assert report.value(Ref("公开04", "60", 2)) is None and report.value(Ref("公开04", "60", 3)) is None


def test_a_sum_within_the_envelope_of_zero_stays_blank():
    """Typed figures that cancel out to less than their rounding (0.01 + 0.01 − 0.03) leave a blank total blank."""
    report = read_report(sample_path("liaocheng_bjb_2024"))
    for no, value in ((2, "0.01"), (4, "0.01"), (6, "-0.03")):
        report.cell(Ref("公开09", "1", no)).value = D(value)
    for no in (1, 3, 5):
        report.cell(Ref("公开09", "1", no)).value = None
    result = fill_report(report, CATALOG)
    assert report.value(Ref("公开09", "1", 1)) is None
    assert report.value(Ref("公开09", "1", 3)) == D("0.01")      # a real 0.01 is filled
    assert not any(c.table == "公开09" and c.ref.no == 1 for c in result.changes)


# --- 9: check before fill says so once ------------------------------------------------------------
def cleared(name):
    """A sample with every derived cell blank, as a clerk's book is before the first fill."""
    report = read_report(sample_path(name))
    for ref in derived_refs(relations_for(report, CATALOG)):
        report.cell(ref).value = None
    return report


def test_check_before_fill_says_once_that_fill_has_not_run(sample_name):
    report = cleared(sample_name)
    findings = audit(report, CATALOG)
    unfilled = [f for f in findings if f.rule == "F03"]
    assert len(unfilled) == 1, [f.message for f in findings if f.severity == "error"][:5]
    note = unfilled[0]
    count = int(note.message.split("有 ")[1].split(" 个")[0])
    assert note.message.startswith(f"有 {count} 个自动计算单元格为空，请先运行填充计算")
    assert note.severity == "error" and count == len(note.cells) + 1 > 10
    assert [f.message for f in findings if "空 ≠" in f.message] == []
    fill_report(report, CATALOG)
    assert [f for f in audit(report, CATALOG) if f.rule == "F03" or f.severity == "error"] == []


def test_a_typed_blank_balance_is_still_checked_before_fill():
    """Only relations over an unfilled derived cell wait for fill; a typed 年末 left blank is not one."""
    report = cleared("zibo_zhangdian_2024")
    report.cell(Ref("公开04", "1", 1)).value += 9
    assert ("公开04", "G33") not in at(audit(report, CATALOG), "R4.8")      # 59 is not filled yet
    fill_report(report, CATALOG)
    assert ("公开04", "G33") in at(errors(report), "R4.8")


# --- 11: figures implausible for the declared 金额单位 ---------------------------------------------
def scaled(name, factor, unit):
    report = read_report(sample_path(name))
    for _ref, cell in report.iter_cells():
        if cell.value is not None:
            cell.value *= factor
    report.info["amount_unit"].value = unit
    return report


def test_figures_typed_in_yuan_in_a_wan_yuan_book_are_a_warning(sample_name):
    findings = audit(scaled(sample_name, 10000, "万元"), CATALOG)
    magnitude = [f for f in findings if f.rule == "E20"]
    assert [(f.severity, f.table, f.cell) for f in magnitude] == [("warning", "单位信息", "B5")]
    assert "万元" in magnitude[0].message and "元" in magnitude[0].message


def test_figures_typed_in_wan_yuan_in_a_yuan_book_are_a_warning(sample_name):
    findings = audit(scaled(sample_name, 1, "元"), CATALOG)
    assert [(f.severity, f.table, f.cell) for f in findings if f.rule == "E20"] == [("warning", "单位信息", "B5")]


def test_plausible_figures_raise_no_magnitude_warning(sample_name):
    assert [f for f in audit(read_report(sample_path(sample_name)), CATALOG) if f.rule == "E20"] == []
    assert [f for f in audit(scaled(sample_name, 10000, "元"), CATALOG) if f.rule == "E20"] == []


# --- 16: a code the built-in catalogue lacks is one hint, whatever the tables it is in ---------------
def with_code_renamed(report, old, new, names):
    """Every row of `old` becomes `new` (a real code the catalogue lacks), named per table by `names`."""
    for table_id, table in report.tables.items():
        for row in table.rows:
            if row.code == old:
                row.code, row.key, row.name = new, new, names.get(table_id, row.name)
        table.reindex()
    return report


def test_an_unknown_code_is_reported_once_and_its_name_still_compared():
    report = read_report(sample_path("liaocheng_bjb_2024"))
    with_code_renamed(report, "2010350", "2010398", {})
    findings = audit(report, CATALOG)
    unknown = [f for f in findings if f.rule == "E05"]
    assert len(unknown) == 1, [(f.table, f.cell) for f in unknown]
    note = unknown[0]
    assert (note.table, note.cell, note.severity) == ("公开02", "A9", "info")
    assert "2010398" in note.message and "内置科目目录" in note.message and "并不完整" in note.message
    assert f"{len(CATALOG.function)} 个" in note.message
    assert "公开03!A9" in note.cells and "公开05!A9" in note.cells
    renamed = with_code_renamed(read_report(sample_path("liaocheng_bjb_2024")), "2010350", "2010398",
                                {"公开05": "别的名称"})
    assert ("公开05", "B9") in at(audit(renamed, CATALOG), "E07")
