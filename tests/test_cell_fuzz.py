"""Every cell type in every input cell (property-based).

Arbitrary values go into the input cells of a real workbook — text in any script
and length, control characters, formulas, Excel error values, dates and times,
booleans, huge and tiny numbers, NaN and infinities, numbers stored as text — and
reading, checking and rendering the review must never raise; every bad cell must
give a finding naming its sheet and cell.

Each example works on in-memory grids (parse_grids + audit + build_review): the
file layer is the same code for every value, and a smaller file-based test at the
end writes real cells with openpyxl and reads them back through `read_report`.

Whether a value is acceptable is decided here, from the rules the README states
(an amount is blank, a number, or text of a number written with ASCII or
full-width digits, optional thousands separators, sign or accounting brackets),
not by calling the code under test.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal
from pathlib import Path

import openpyxl
from conftest import sample_path
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from juesuan.domain.catalog import load_catalog, normalize_name
from juesuan.domain.layout import a1, layout_of
from juesuan.domain.model import fixed_rows
from juesuan.domain.schema import CODE, FACT_SHEETS, INFO_SHEET, TABLE_IDS, TABLES, TOTAL_KEY
from juesuan.io.reader import read_grids, read_report
from juesuan.rules.audit import audit
from juesuan.rules.parse import Formula, parse_grids
from juesuan.views.review import build_review

BASE = "liaocheng_bjb_2024"
FUZZ = settings(max_examples=500, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
CATALOG = load_catalog()


def _without_blank_template_rows(grids):
    """The template offers 150 blank rows under each code table; a clerk's file may as well not
    have them. Dropping them (the printed 注 line moves up) keeps every example cheap."""
    out = dict(grids)
    for table_id in TABLE_IDS:
        if TABLES[table_id].kind != CODE:
            continue
        grid = grids[table_id]
        used = [i for i, row in enumerate(grid) if any(v not in (None, "") for v in row)]
        data = [i for i in used if i < used[-1]]      # everything but the 注 line
        out[table_id] = list(grid[:data[-1] + 1]) + [grid[used[-1]]]
    return out


BASE_GRIDS = _without_blank_template_rows(read_grids(sample_path(BASE)))
BASE_REPORT = parse_grids(BASE_GRIDS, BASE)

FIXED_TABLES = [t for t in TABLE_IDS if TABLES[t].kind != CODE]      # 01 04 06 09
CODE_TABLES = [t for t in TABLE_IDS if TABLES[t].kind == CODE]       # 02 03 05 07 08
FIXED_CELLS = [(t, c.row, c.col) for t in FIXED_TABLES for r in fixed_rows(t) for c in r.cells.values()]
CODE_AMOUNT_CELLS = [(t, c.row, c.col) for t in CODE_TABLES for r in BASE_REPORT.tables[t].rows
                     for c in r.cells.values()]
CODE_ROWS = [(t, r.row) for t in CODE_TABLES for r in BASE_REPORT.tables[t].rows if r.key != TOTAL_KEY]
TOTAL_ROWS = [(t, layout_of(t).first_data_row) for t in CODE_TABLES]
INFO_CELLS = [(INFO_SHEET, row, 2) for row in (3, 4, 5, 6)]
assert len(FIXED_CELLS) > 100 and len(CODE_AMOUNT_CELLS) > 20 and len(CODE_ROWS) > 5


# --- values a cell can hold ---------------------------------------------------------------
ERRORS = ["#REF!", "#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#VALUE!", "#SPILL!", "#CALC!", "#GETTING_DATA"]
BLANKS = ["", " ", "\u3000", "\u00a0", "-", "—", "－", "--", "——", "/"]
FULLWIDTH = str.maketrans("0123456789.,-+", "０１２３４５６７８９．，－＋")


def _thousands(n: int) -> str:
    return f"{n:,}"


@st.composite
def number_text(draw):
    """A number as a clerk types or pastes it into a text cell."""
    whole = draw(st.integers(min_value=0, max_value=10**15))
    text = _thousands(whole) if draw(st.booleans()) else str(whole)
    if draw(st.booleans()):
        text += "." + draw(st.text(alphabet="0123456789", min_size=1, max_size=4))
    style = draw(st.sampled_from(["plain", "minus", "plus", "brackets"]))
    text = {"plain": text, "minus": "-" + text, "plus": "+" + text, "brackets": f"({text})"}[style]
    if draw(st.booleans()):
        text = text.translate(FULLWIDTH)
    pad = draw(st.sampled_from(["", " ", "\u3000", "\u00a0", "\t", "\n"]))
    return pad + text + draw(st.sampled_from(["", " ", "\u3000"]))


SCRIPTS = st.text(alphabet=st.characters(categories=("Lu", "Ll", "Lo", "Nd", "No", "Nl", "Sc", "Sm", "Po", "Zs", "Mn")),
                  max_size=60)
VALUES = st.one_of(
    st.none(),
    st.text(max_size=80),                                               # anything printable and not
    SCRIPTS,                                                            # Chinese, Arabic, Devanagari digits…
    st.text(max_size=5000).map(lambda s: "长" * 40 + s),                 # long
    st.text(alphabet=st.characters(max_codepoint=0x1F), max_size=20),   # control characters
    st.text(max_size=30).map(lambda s: "=" + s),                       # formulas as text
    st.sampled_from(["=SUM(C7:C9)", "=1/0", '=HYPERLINK("http://x","点我")', "+cmd|' /C calc'!A0", "@SUM(1)",
                     "-2+3", "=-5"]),
    st.text(max_size=20).map(lambda s: Formula("=" + s)),               # formulas a file carries no value for
    st.sampled_from(ERRORS),
    st.datetimes(), st.dates(), st.times(), st.timedeltas(),
    st.booleans(),
    st.integers(), st.integers(min_value=-10**400, max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1e308, -1e308, 5e-324, 1e-300, 0.1 + 0.2, 1e16, 123456789012345.67]),
    st.decimals(allow_nan=True, allow_infinity=True),
    number_text(),
    st.sampled_from(BLANKS),
    st.sampled_from(["1.2.3", "1,23", "12,3456", "(-5)", "()", "1e5", "0x10", "١٢٣", "१२", "12元", "壹佰", "NaN", "inf"]),
)


# --- what the README says is acceptable ----------------------------------------------------
_ASCII_NUMBER = re.compile(r"[+-]?([0-9]{1,3}(,[0-9]{3})+|[0-9]+)(\.[0-9]+)?")
_FW = str.maketrans("０１２３４５６７８９．，－＋\u2212", "0123456789.,-+-")     # U+2212 is a minus too
_EXCEL_ERROR = re.compile(r"#(?:N/A|GETTING_DATA|[A-Z][A-Z0-9/_]*[!?])")


def _squeeze(text: str) -> str:
    return "".join(ch for ch in text.translate(_FW) if not ch.isspace())


def amount_ok(raw) -> bool:
    if raw is None:
        return True
    if isinstance(raw, (bool, dt.date, dt.time, dt.timedelta, Formula)):
        return False
    if isinstance(raw, int):
        return abs(raw) < 10 ** 15          # Excel keeps 15 digits: more is 金额过大
    if isinstance(raw, Decimal):
        return raw.is_finite() and abs(raw) < 10 ** 15
    if isinstance(raw, float):    # as Excel shows it (15 digits): 1.7976931348623157e308 is no number there
        return math.isfinite(raw) and abs(float(f"{raw:.15g}")) < 1e15
    # a space between digits is a thousands separator, grouped by three like a comma
    text = _squeeze(re.sub(r"(?<=[0-9])\s+(?=[0-9])", ",", raw.translate(_FW).strip()))
    if text in {"", "-", "—", "－", "--", "——", "/"}:
        return True
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1]
        if text[:1] in ("+", "-"):
            return False
    return _ASCII_NUMBER.fullmatch(text) is not None and abs(Decimal(text.replace(",", ""))) < 10 ** 15


def code_text(raw) -> str:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return _squeeze("" if raw is None else str(raw))


def code_ok(raw) -> bool:
    return re.fullmatch(r"[0-9]{3}|[0-9]{5}|[0-9]{7}", code_text(raw)) is not None


def shown(raw) -> str:
    """The text of a name/info cell as a clerk sees it (whitespace runs collapsed)."""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return " ".join(("" if raw is None else str(raw)).split())


def year_ok(raw) -> bool:
    if isinstance(raw, bool) or raw is None:
        return False
    if isinstance(raw, int):
        return 1990 <= raw <= 2100
    if isinstance(raw, float):
        return math.isfinite(raw) and raw.is_integer() and 1990 <= raw <= 2100
    text = shown(raw).translate(_FW)
    return re.fullmatch(r"[0-9]{4}", text) is not None and 1990 <= int(text) <= 2100


# --- running one example ----------------------------------------------------------------------
def put(grids, changes):
    """A copy of the grids with `changes` [(sheet, row, col, value)] applied (copy-on-write per row)."""
    out = dict(grids)
    copied = set()
    for sheet, row, col, value in changes:
        if sheet not in copied:
            out[sheet] = list(out[sheet])
            copied.add(sheet)
        grid = out[sheet]
        while len(grid) < row:
            grid.append(())
        values = list(grid[row - 1]) + [None] * max(0, col - len(grid[row - 1]))
        values[col - 1] = value
        grid[row - 1] = tuple(values)
    return out


def run(changes):
    grids = put(BASE_GRIDS, changes)
    report = parse_grids(grids, "fuzz.xlsx")
    findings = audit(report, CATALOG)
    review = build_review(report, findings, CATALOG, {}, dt.datetime(2024, 1, 1))
    assert len(review.rows) == len(findings)
    for f in findings:   # every finding is located on a real sheet
        assert f.table in TABLE_IDS or f.table in FACT_SHEETS or f.table == INFO_SHEET, f
        assert isinstance(f.message, str) and f.message
    return grids, report, findings


def at(findings, rule, sheet, row, col):
    return [f for f in findings if f.rule == rule and f.table == sheet and f.cell == a1(row, col)]


def pick(cells):
    return st.lists(st.tuples(st.sampled_from(cells), VALUES), min_size=1, max_size=3,
                    unique_by=lambda item: item[0])


def _text(raw) -> str:
    return shown(raw)


def check_amount_family(changes, findings):
    for sheet, row, col, value in changes:
        bad = at(findings, "E01", sheet, row, col)
        if amount_ok(value):
            assert not bad, ("amount", sheet, a1(row, col), value, bad)
        else:
            assert len(bad) == 1, ("amount", sheet, a1(row, col), value)
            assert sheet in bad[0].message and a1(row, col) in bad[0].message


def check_code_family(changes, grids, findings):
    for sheet, row, _, value in changes:
        located = [(f.rule, f.message) for f in findings if f.table == sheet and f.cell == a1(row, 1)]
        if (sheet, row) in TOTAL_ROWS:
            assert bool(at(findings, "E15", sheet, row, 1)) == (code_text(value) != ""), ("total", value, located)
            continue
        lay = layout_of(sheet)
        values = grids[sheet][row - 1]
        name = shown(values[1] if len(values) > 1 else None)
        has_amount = any(values[c.index - 1] not in (None, "") for c in lay.columns
                         if c.role == "amount" and c.index - 1 < len(values))
        code = code_text(value)
        skipped = (not code and not name and not has_amount) or \
            (not has_amount and (shown(value) or name).startswith(("注", "说明")))
        if skipped:
            assert not located, ("code", value, located)
        elif code_ok(value):
            assert not at(findings, "E04", sheet, row, 1), ("code", value, located)
        elif code == "":
            assert at(findings, "E14", sheet, row, 1), ("code", value, located)
        else:
            assert at(findings, "E04", sheet, row, 1), ("code", value, located)


def check_name_family(changes, report, findings):
    for sheet, row, _, value in changes:
        code_row = next((r for r in report.tables[sheet].rows if r.row == row), None)
        code = code_row.code if code_row is not None else None
        official = CATALOG.function_name(code) if code else None
        name = shown(value)
        differs = bool(name) and official is not None and normalize_name(name) != normalize_name(official)
        assert bool(at(findings, "E06", sheet, row, 2)) == differs, ("name", value, official)
        assert not at(findings, "E01", sheet, row, 2)


def check_info_family(changes, findings):
    for sheet, row, col, value in changes:
        flagged = bool(at(findings, "E03", sheet, row, col))
        text = shown(value)
        if row == 3:      # 单位名称: any text, but not blank, an error value or an uncalculated formula
            unusable = text == "" or isinstance(value, Formula) or _EXCEL_ERROR.fullmatch(text) is not None
            assert flagged == unusable, ("单位名称", value)
        elif row == 4:    # 年度
            assert flagged == (not year_ok(value)), ("年度", value)
        elif row == 5:    # 金额单位
            assert flagged == (text not in ("元", "万元")), ("金额单位", value)
        else:             # 报表类型: blank means 单位
            assert flagged == (text not in ("", "单位", "部门")), ("报表类型", value)


FAMILIES = st.fixed_dictionaries({
    "fixed": pick(FIXED_CELLS),                # amount cells of 公开01 04 06 09
    "code_amounts": pick(CODE_AMOUNT_CELLS),   # amount cells of 公开02 03 05 07 08
    "codes": pick(CODE_ROWS + TOTAL_ROWS),     # column A of the code tables
    "names": pick(CODE_ROWS),                  # column B of the code tables
    "info": pick(INFO_CELLS),                  # 单位信息 B3:B6
})


@FUZZ
@given(FAMILIES)
def test_every_input_cell_family(drawn):
    """500 examples, each putting 1–3 arbitrary values into cells of every family at once
    (so each family gets at least 500 examples for the price of one parse and audit)."""
    fixed = [(s, r, c, v) for (s, r, c), v in drawn["fixed"]]
    code_amounts = [(s, r, c, v) for (s, r, c), v in drawn["code_amounts"]]
    codes = [(s, r, 1, v) for (s, r), v in drawn["codes"]]
    names = [(s, r, 2, v) for (s, r), v in drawn["names"]]
    info = [(s, r, c, v) for (s, r, c), v in drawn["info"]]
    grids, report, findings = run(fixed + code_amounts + codes + names + info)
    check_amount_family(fixed, findings)
    check_amount_family(code_amounts, findings)
    check_code_family(codes, grids, findings)
    check_name_family(names, report, findings)
    check_info_family(info, findings)


# --- the same through real files ---------------------------------------------------------------
FILE_VALUES = st.one_of(
    st.text(max_size=40), SCRIPTS, st.sampled_from(ERRORS), st.datetimes(min_value=dt.datetime(1900, 3, 1)),
    st.booleans(), st.integers(min_value=-10**15, max_value=10**15),
    # openpyxl writes 15 significant digits: 1.7976931348623155e+308 becomes 1.79769313486232e+308,
    # which no spreadsheet can hold (it reads back as inf); real files never carry it
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e307, max_value=1e307),
    number_text(), st.sampled_from(["=SUM(C7:C9)", "=1/0", "@SUM(1)", "+cmd"]))
WORKBOOK = openpyxl.load_workbook(sample_path(BASE))   # loaded once; every example restores what it changed


def _write_cell(cell, value):
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    if isinstance(value, str) and value in ERRORS:
        cell.value = value
        cell.data_type = "e"
    elif isinstance(value, str) and value.startswith("="):
        cell.value = value                              # a real formula; openpyxl stores no result
    elif isinstance(value, str):
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)   # what an xlsx file can hold
        cell.data_type = "s"
    else:
        cell.value = value


@settings(max_examples=20, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow,
                                                                               HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(FIXED_CELLS + CODE_AMOUNT_CELLS), FILE_VALUES), min_size=1, max_size=6,
                unique_by=lambda item: item[0]))
def test_values_written_by_a_spreadsheet_program(tmp_path_factory, picked):
    path = Path(tmp_path_factory.mktemp("fuzzfile")) / "fuzz.xlsx"
    saved = {}
    try:
        for (sheet, row, col), value in picked:
            cell = WORKBOOK[sheet].cell(row=row, column=col)
            saved[(sheet, row, col)] = (cell.value, cell.data_type, cell.number_format)
            _write_cell(cell, value)
        WORKBOOK.save(path)
    finally:
        for (sheet, row, col), (value, kind, number_format) in saved.items():
            cell = WORKBOOK[sheet].cell(row=row, column=col)
            cell.value = value
            cell.data_type = kind
            cell.number_format = number_format     # a date written earlier leaves a date format behind
    report = read_report(path)
    findings = audit(report, CATALOG)
    for (sheet, row, col), value in picked:
        bad = at(findings, "E01", sheet, row, col)
        if isinstance(value, str) and value.startswith("="):
            assert bad and "未计算的公式" in bad[0].message, value   # not taken for blank
        elif isinstance(value, str) and value in ERRORS:
            assert bad, value
        elif isinstance(value, (dt.datetime, bool)):
            assert bad, value
        elif isinstance(value, str):
            from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
            assert bool(bad) == (not amount_ok(ILLEGAL_CHARACTERS_RE.sub("", value))), value
        else:                                   # a number: refused only past Excel's 15 digits
            assert bool(bad) == (not amount_ok(value)), value


def test_oracle_is_not_vacuous():
    """The acceptable/bad split the families rely on does split: both sides are reached."""
    assert amount_ok("1,234.50") and amount_ok("（１２３）".replace("（", "(").replace("）", ")")) and amount_ok(None)
    assert not amount_ok("١٢٣") and not amount_ok("(-5)") and not amount_ok(float("nan"))
    assert not amount_ok(dt.date(2024, 1, 1)) and not amount_ok(True) and not amount_ok("#REF!")
    assert code_ok("２０１") and code_ok(20101.0) and not code_ok("٢٠١") and not code_ok(True)
    assert year_ok("2024") and year_ok(2024.0) and not year_ok(2024.5) and not year_ok(True) and not year_ok(float("inf"))
