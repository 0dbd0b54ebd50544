"""The curated sample data (samples/data/*.json) must match the seed texts figure by figure.

Independent of the engine: it reads the seed text with tests/seedtext.py and compares.
A slip in transcription (a changed, dropped or shifted figure, a lost row) fails here.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import seedtext as st  # noqa: E402

DATA = st.REPO_ROOT / "samples" / "data"
SEEDS = st.seeds_dir()

CASES = {
    "liaocheng_bjb_2024.json": "000_d5863c2797256b7e.txt",
    "zibo_zhangdian_2024.json": "001_db1ad83b847b4eb0.txt",
    "jinan_lixia_2023.json": "002_a88a67e98aea324c.txt",
}
NCOLS = {"公开02": 7, "公开03": 6, "公开05": 3, "公开07": 6, "公开08": 3}
ROWS01 = [*range(1, 9), 27, 28, 29, 31, *range(32, 61), 62]
ROWS04_IN = [1, 2, 3, *range(27, 33)]
ROWS04_OUT = [*range(33, 61), 64]
JSON_AMOUNT = re.compile(r"-?\d+\.\d{2}")

def load(name: str) -> dict:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def seed_section(name: str, nn: int) -> list[str]:
    if SEEDS is None:
        pytest.skip("shared/seeds not found beside the repo (set JUESUAN_SEEDS)")
    return st.section(st.read_lines(SEEDS / CASES[name]), nn)


def nonnull(values) -> list[str]:
    return [v for v in values if v is not None]


def json_figures(doc: dict, nn: int) -> list[str]:
    """All non-null figures of one table of the JSON, in no particular order."""
    t = doc[f"公开{nn:02d}"]
    if nn in (1, 6):
        return nonnull(t.values())
    if nn == 4:
        out = []
        for v in t.values():
            out += nonnull(v) if isinstance(v, list) else nonnull([v])
        return out
    if nn == 9:
        return nonnull(t)
    out = []
    for row in t:
        out += nonnull(row[2:])
    return out


names = pytest.mark.parametrize("name", sorted(CASES))
tables = pytest.mark.parametrize("nn", range(1, 10))


# ---------------------------------------------------------------- shape of the JSON

@names
def test_json_shape(name):
    doc = load(name)
    assert doc["source"] == CASES[name]
    info = doc["info"]
    assert set(info) == {"单位名称", "年度", "金额单位", "报表类型"}
    assert isinstance(info["年度"], int) and info["金额单位"] == "万元"
    assert info["报表类型"] in ("单位", "部门")
    assert list(doc["公开01"]) == [str(r) for r in ROWS01]
    assert list(doc["公开04"]) == [str(r) for r in ROWS04_IN + ROWS04_OUT]
    for r in ROWS04_OUT:
        assert isinstance(doc["公开04"][str(r)], list) and len(doc["公开04"][str(r)]) == 4
    for t, n in NCOLS.items():
        rows = doc[t]
        assert rows[0][:2] == ["", "合计"], t
        for row in rows:
            assert len(row) == 2 + n, (t, row)
        for row in rows[1:]:
            assert st.FUNCTION_CODE.fullmatch(row[0]), (t, row)
    assert len(doc["公开09"]) == 12
    assert list(doc["公开06"])[-2:] == ["人员经费合计", "公用经费合计"]
    for nn in range(1, 10):
        for v in json_figures(doc, nn):
            assert isinstance(v, str) and JSON_AMOUNT.fullmatch(v), (nn, v)
    assert isinstance(doc["notes"], list)


# ---------------------------------------------------------------- the extractor itself

@names
@tables
def test_extractor_sees_every_number(name, nn):
    """Every two-decimal number of the section lies in a cell of its own (nothing hidden in prose)."""
    sec = seed_section(name, nn)
    assert sec and st.squeeze(sec[0]) == st.TITLES[nn]
    assert st.section_figures(sec) == st.section_figures_by_regex(sec)


# ---------------------------------------------------------------- (count) no dropped figure

@names
@tables
def test_figure_count(name, nn):
    doc = load(name)
    sec = seed_section(name, nn)
    in_text = st.section_figures(sec)
    in_json = json_figures(doc, nn)
    assert len(in_json) == len(in_text)
    assert sorted(in_json) == sorted(in_text)


# ---------------------------------------------------------------- (a) code tables 02 03 05 07 08

def _compare_row(line: str, row: list, ncol: int, label: str):
    c = st.cells(line)
    values = c[2:]
    assert len(values) >= ncol, (label, line)
    assert all(x == "" for x in values[ncol:]), (label, line)
    assert [st.amount(x) for x in values[:ncol]] == row[2:], (label, line)
    assert st.figures(line) == nonnull(row[2:]), (label, line)


@names
@pytest.mark.parametrize("table", sorted(NCOLS))
def test_code_table(name, table):
    doc = load(name)
    nn = int(table[2:])
    sec = seed_section(name, nn)
    rows = doc[table]
    ncol = NCOLS[table]

    # 合计: the first row after the 栏次 line, with no code; may lack the word 合计
    line = st.total_row_line(sec)
    c = st.cells(line)
    assert not st.FUNCTION_CODE.fullmatch(c[0]), line
    assert st.squeeze(c[0] + c[1]) in ("合计", ""), line
    _compare_row(line, rows[0], ncol, "合计")

    # every printed code row is in the JSON, in the printed order, and vice versa
    printed = st.code_lines(sec)
    assert [code for code, _ in printed] == [r[0] for r in rows[1:]]
    for (code, line), row in zip(printed, rows[1:]):
        _compare_row(line, row, ncol, code)
        # names: as printed, only whitespace (PDF conversion) removed
        assert row[1] == re.sub(r"\s", "", st.cells(line)[1]), (code, row[1], line)


# ---------------------------------------------------------------- (b) 01 and 04

def _rowno_lines(sec, ncells):
    for line in st.table_lines(sec):
        c = st.cells(line)
        if len(c) >= ncells and c[1].isdigit():
            yield line, c


@names
def test_table01(name):
    doc = load(name)["公开01"]
    sec = seed_section(name, 1)
    seen = set()
    for line, c in _rowno_lines(sec, 6):
        assert all(x == "" for x in c[6:]), line
        for label, no, val in ((c[0], c[1], c[2]), (c[3], c[4], c[5])):
            if no in doc:
                assert label != "", line
                assert st.amount(val) == doc[no], (no, line)
                seen.add(no)
            else:  # blank-label rows 9-26, 30, 61 carry nothing
                assert label == "" and val == "", (no, line)
        assert st.figures(line) == nonnull(doc.get(n) for n in (c[1], c[4])), line
    assert seen == set(doc)


@names
def test_table04(name):
    doc = load(name)["公开04"]
    sec = seed_section(name, 4)
    seen = set()
    for line, c in _rowno_lines(sec, 9):
        assert all(x == "" for x in c[9:]), line
        no_in, no_out = c[1], c[4]
        expected = []
        if no_in in doc:
            assert c[0] != "" and st.amount(c[2]) == doc[no_in], (no_in, line)
            expected += nonnull([doc[no_in]])
            seen.add(no_in)
        else:
            assert c[0] == "" and c[2] == "", (no_in, line)
        if no_out in doc:
            assert c[3] != "" and [st.amount(x) for x in c[5:9]] == doc[no_out], (no_out, line)
            expected += nonnull(doc[no_out])
            seen.add(no_out)
        else:
            assert c[3] == "" and all(x == "" for x in c[5:9]), (no_out, line)
        assert st.figures(line) == expected, line
    assert seen == set(doc)


# ---------------------------------------------------------------- (c) 06 and (e) its totals

@names
def test_table06(name):
    doc = load(name)["公开06"]
    sec = seed_section(name, 6)
    printed = {}
    for line in st.table_lines(sec):
        for code, _name, value in st.economic_values(line):
            assert code not in printed, code
            printed[code] = value
    codes = [k for k in doc if k not in ("人员经费合计", "公用经费合计")]
    assert set(codes) == set(printed)
    for code in codes:
        assert doc[code] == printed[code], code


@names
def test_table06_totals(name):
    doc = load(name)["公开06"]
    sec = seed_section(name, 6)
    lines = [ln for ln in st.table_lines(sec) if "人员经费合计" in st.squeeze(ln)]
    assert len(lines) == 1
    c = st.cells(lines[0])
    i_p = next(i for i, x in enumerate(c) if st.squeeze(x) == "人员经费合计")
    i_g = next(i for i, x in enumerate(c) if st.squeeze(x) == "公用经费合计")
    p = [st.amount(x) for x in c[i_p + 1:i_g] if x]
    g = [st.amount(x) for x in c[i_g + 1:] if x]
    assert p == [doc["人员经费合计"]]
    assert g == [doc["公用经费合计"]]


# ---------------------------------------------------------------- (d) 09

@names
def test_table09(name):
    doc = load(name)["公开09"]
    sec = seed_section(name, 9)
    lines = st.table_lines(sec)
    i = next(i for i, ln in enumerate(lines) if st.cells(ln)[:12] == [str(n) for n in range(1, 13)])
    data = next(ln for ln in lines[i + 1:] if st.figures(ln))
    c = st.cells(data)
    assert all(x == "" for x in c[12:]), data
    assert [st.amount(x) for x in (c + [""] * 12)[:12]] == doc
    assert st.figures(data) == nonnull(doc)


# ---------------------------------------------------------------- catalogues in src/juesuan/data

CATALOGUE = st.REPO_ROOT / "src" / "juesuan" / "data"
# genuine wording variants printed by the seeds (kept as printed in the samples)
NAME_VARIANTS = {("jinan_lixia_2023.json", "2010305"): "专业事务及机关事务管理"}


def read_csv(name: str) -> list[dict]:
    import csv

    with open(CATALOGUE / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_catalogues_well_formed():
    classes = read_csv("expenditure_classes.csv")
    assert len(classes) == 26
    functions = read_csv("function_codes.csv")
    codes = [r["code"] for r in functions]
    assert codes == sorted(codes) and len(set(codes)) == len(codes)
    fmap = {r["code"]: r["name"] for r in functions}
    for r in classes:
        assert fmap[r["code"]] == r["name"]
    for code in codes:
        assert st.FUNCTION_CODE.fullmatch(code)
        assert len(code) == 3 or code[:-2] in fmap, code  # every 款/项 has its parent
    economic = read_csv("economic_codes.csv")
    assert {r["group"] for r in economic} == {"人员经费", "公用经费"}
    assert all("(" not in r["name"] and ")" not in r["name"] for r in economic)


@names
def test_catalogues_cover_samples(name):
    doc = load(name)
    fmap = {r["code"]: r["name"] for r in read_csv("function_codes.csv")}
    for t in NCOLS:
        for code, label, *_ in doc[t][1:]:
            assert code in fmap, (t, code)
            assert label == NAME_VARIANTS.get((name, code), fmap[code]), (t, code, label)
    economic = {r["code"] for r in read_csv("economic_codes.csv")}
    assert set(doc["公开06"]) - {"人员经费合计", "公用经费合计"} <= economic
