"""The cheaper paths of the fast reader (issue 14) decide what the scans they replace decided.

Each variant is compared with the openpyxl reader (the reference), through the fast path itself
(lean_grids, with and without the members the safety checks inflated) and through read_grids.
"""
from __future__ import annotations

import re
import struct
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import needs_soffice
from fixtures_rich import raw_zip
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_batch import JINAN, rewrite, set_cell

from juesuan.io import fast_reader, lean_package
from juesuan.io.fast_reader import lean_grids
from juesuan.io.reader import check_file, read_grids
from juesuan.io.safety import take_snapshot
from juesuan.rules.parse import Formula

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHEET = r"xl/worksheets/sheet2\.xml"          # 公开01 (data from row 6; C8 is blank in the sample)


def _lean(snapshot):
    """The fast path itself, from the inflated members and from the archive: both alike."""
    handed_on = lean_grids(snapshot.data, inflated=snapshot.inflated)
    assert lean_grids(snapshot.data) == handed_on
    return handed_on


def _same_as_openpyxl(path: Path):
    snapshot = check_file(path)
    expected = read_grids(snapshot)
    assert read_grids(snapshot, reader="fast") == expected
    return snapshot, expected


FORMULA_FORMS = {            # (cell XML, marked as a formula without a cached value?)
    "no_value": ('<c r="C8"><f>C6+C7</f></c>', True),
    "empty_value": ('<c r="C8"><f>C6+C7</f><v></v></c>', True),
    "self_closed_value": ('<c r="C8"><f>C6+C7</f><v/></c>', True),
    "spaced_self_closed_value": ('<c r="C8" s="15"><f>C6+C7</f><v /></c>', True),
    "shared_without_value": ('<c r="C8"><f t="shared" si="0"/></c>', True),
    "value_after_a_space": ('<c r="C8"><f>C6+C7</f> <v>5</v></c>', False),
    "value": ('<c r="C8"><f>C6+C7</f><v>5</v></c>', False),
    "shared_with_value": ('<c r="C8"><f t="shared" si="0"/><v>5</v></c>', False),
    "empty_text_result": ('<c r="C8" t="str"><f>A1</f><v></v></c>', False),
    "prefixed_formula": (f'<c r="C8"><x:f xmlns:x="{MAIN}">C6+C7</x:f></c>', True),
}


@pytest.mark.parametrize("name", sorted(FORMULA_FORMS))
def test_formulas_without_a_cached_value_in_every_form(tmp_path, name):
    cell, marked = FORMULA_FORMS[name]
    path = rewrite(JINAN, tmp_path / f"{name}.xlsx", {SHEET: set_cell("C8", cell)})
    snapshot, expected = _same_as_openpyxl(path)
    assert _lean(snapshot) == expected
    assert isinstance(expected["公开01"][7][2], Formula) == marked


def test_every_formula_with_its_value_is_read_without_looking_at_the_cells(tmp_path):
    """The heading formulas of the samples carry no value (<v />); given one, every formula of the
    sheet has its value and none is marked, as the scan of every formula cell found."""
    path = rewrite(JINAN, tmp_path / "valued.xlsx", {SHEET: lambda x: set_cell("C8", '<c r="C8"><f>C6+C7</f><v>5</v></c>')(
        x.replace("<v />", "<v>0</v>"))})
    snapshot, expected = _same_as_openpyxl(path)
    assert _lean(snapshot) == expected
    assert not any(isinstance(v, Formula) for row in expected["公开01"] for v in row)


@pytest.mark.parametrize("cells", [
    '<c r="J7" s="3"/>',                          # styled empty, inside the widest table: widens the grid
    '<c r="L7" s="3"/><c r="M7" s="3"/>',         # at and beyond the last column read
    '<c r="Z7" t="n"/><c r="AB7" s="2"/>',        # two letters
])
def test_styled_empty_cells_to_the_right(tmp_path, cells):
    path = rewrite(JINAN, tmp_path / "right.xlsx", {SHEET: lambda x: x.replace(
        '<c r="F7" s="15" t="n" /></row>', '<c r="F7" s="15" t="n" />' + cells + "</row>", 1)})
    snapshot, expected = _same_as_openpyxl(path)
    assert _lean(snapshot) == expected


def test_an_error_cell_far_right_and_a_row_of_numbers(tmp_path):
    path = rewrite(JINAN, tmp_path / "errors.xlsx", {SHEET: lambda x: set_cell("C7", '<c r="C7" t="e"><v>#N/A</v></c>')(
        x.replace("</sheetData>", '<row r="40"><c r="A40"><v>1</v></c><c r="B40"><v>2.5</v></c>'
                  '<c r="K40" t="e"><v>#REF!</v></c></row></sheetData>'))})
    snapshot, expected = _same_as_openpyxl(path)
    assert _lean(snapshot) == expected
    assert expected["公开01"][39][:2] == (1, 2.5) and expected["公开01"][39][10] == "#REF!"


@pytest.mark.parametrize("cell", ['<c r="C500" t="n"><v>7</v></c>', '<c r="XFD1048576" t="n"><v>7</v></c>'])
def test_a_cell_referenced_below_the_last_row_is_left_to_openpyxl(tmp_path, cell):
    """A cell that names a row the rows do not reach (a dimension bomb in row 1) is never handed to
    calamine, which would hold the whole rectangle; openpyxl places it where its reference says
    (as LibreOffice shows it), and one right of the widest table is not read at all."""
    path = rewrite(JINAN, tmp_path / "below.xlsx", {SHEET: lambda x: x.replace("</row>", cell + "</row>", 1)})
    snapshot, expected = _same_as_openpyxl(path)
    with pytest.raises(lean_package.Unsupported):
        lean_grids(snapshot.data, inflated=snapshot.inflated)
    untouched = read_grids(check_file(JINAN))["公开01"]
    if "XFD" in cell:
        assert expected["公开01"] == untouched
    else:
        assert expected["公开01"][:len(untouched)] == untouched and expected["公开01"][499][2] == 7


# Cells Excel never writes so, read where their references put them, as LibreOffice shows them
# (test_misplaced_cells_read_as_libreoffice_shows_them): every reader alike.
MISPLACED = {
    # 公开01 row 7 holds its 行次 B7 (2) as "B9" (B9 itself has its own value, 4, later in the file: that one stays)
    "cell_naming_a_later_row": lambda x: x.replace('<c r="B7"', '<c r="B9"', 1),
    # row 8's B names row 7, whose own B7 stands earlier: the later value wins
    "cell_naming_an_earlier_row": lambda x: set_cell("B8", '<c r="B7" t="n"><v>12.5</v></c>')(x),
    # row 7's cells in reverse column order: none is dropped
    "row_out_of_column_order": lambda x: _reverse_row(x, 7),
    # row 7 also holds a "B5" after its own B7: two cells of one column in one <row>, each read where it says
    "two_cells_of_a_column_in_a_row": lambda x: x.replace('<c r="C7"', '<c r="B5" t="n"><v>99</v></c><c r="C7"', 1),
    # row 8 names B7 again, empty: the figure of B7 stays
    "a_later_empty_cell_of_the_same_name": lambda x: x.replace('<c r="C8"', '<c r="B7" s="14" t="n" /><c r="C8"', 1),
}


_CELL_XML = re.compile(r'<c r="([A-Z]{1,3})([0-9]+)"[^>]*?(?:/>|>.*?</c>)', re.S)


def _reverse_row(xml: str, number: int) -> str:
    row = re.search(rf'(<row r="{number}"[^>]*>)(.*?)(</row>)', xml, re.S)
    cells = [cell.group(0) for cell in _CELL_XML.finditer(row.group(2))]
    assert "".join(cells) == row.group(2) and len(cells) > 3
    return xml[:row.start(2)] + "".join(reversed(cells)) + xml[row.end(2):]


@pytest.mark.parametrize("name", sorted(MISPLACED))
def test_misplaced_cells_are_read_alike_by_every_reader(tmp_path, name):
    path = rewrite(JINAN, tmp_path / f"{name}.xlsx", {SHEET: MISPLACED[name]})
    snapshot, expected = _same_as_openpyxl(path)
    assert _lean(snapshot) == expected
    grid, before = expected["公开01"], read_grids(check_file(JINAN))["公开01"]
    if name == "row_out_of_column_order":
        assert grid == before                      # (openpyxl's read-only rows had dropped all but the last cell)
    elif name == "a_later_empty_cell_of_the_same_name":
        assert grid == before
    elif name == "two_cells_of_a_column_in_a_row":
        assert (grid[4][1], grid[6][1]) == (99, before[6][1]) and before[6][1] == 2
    elif name == "cell_naming_a_later_row":
        assert (before[6][1], before[8][1]) == (2, 4) and (grid[6][1], grid[8][1]) == (None, 4)
    else:
        assert (grid[6][1], grid[7][1]) == (12.5, None)


@needs_soffice
def test_misplaced_cells_read_as_libreoffice_shows_them(tmp_path):
    """What the readers do with such cells is what a clerk sees: LibreOffice's own reading."""
    import csv
    import subprocess
    for name, edit in MISPLACED.items():
        path = rewrite(JINAN, tmp_path / f"{name}.xlsx", {SHEET: edit})
        subprocess.run(["soffice", "--headless", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,false,false,false,false,-1",
                        "--outdir", str(tmp_path), str(path)], check=True, capture_output=True, timeout=180)
        shown = list(csv.reader((tmp_path / f"{name}-公开01.csv").open(encoding="utf-8")))
        grid = read_grids(check_file(path), reader="fast")["公开01"]
        for row_no in (7, 8, 9):
            for column in range(1, 7):
                value = grid[row_no - 1][column - 1]
                text = "" if value is None else str(value)
                assert shown[row_no - 1][column - 1] == text, (name, row_no, column)


STYLES_XML = zipfile.ZipFile(JINAN).read("xl/styles.xml").decode("utf-8")


def _styles_with(formats: str, xfs: str) -> str:
    """The sample's styles with number formats `formats` and cell styles `xfs` added after its own."""
    assert '<numFmts count="0" />' in STYLES_XML and "</cellXfs>" in STYLES_XML
    return STYLES_XML.replace('<numFmts count="0" />', formats or '<numFmts count="0" />').replace(
        "</cellXfs>", xfs + "</cellXfs>")


STYLES = {
    "custom_date_with_quotes": _styles_with(
        '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;"/></numFmts>',
        '<xf numFmtId="0"/><xf numFmtId="164"/>'),
    "custom_text_with_quotes": _styles_with(
        '<numFmts count="1"><numFmt numFmtId="164" formatCode="&quot;天数&quot;0.00"/></numFmts>',
        '<xf numFmtId="0"/><xf numFmtId="164"/>'),
    "builtin_date": _styles_with("", '<xf numFmtId="0"/><xf numFmtId="14"/>'),
    "builtin_date_overridden": _styles_with(
        '<numFmts count="1"><numFmt numFmtId="14" formatCode="0.00"/></numFmts>', '<xf numFmtId="0"/><xf numFmtId="14"/>'),
    "single_quotes": _styles_with("", "<xf numFmtId='0'/><xf numFmtId='22'/>"),
    "numeric_reference": _styles_with("", '<xf numFmtId="0"/><xf numFmtId="&#50;2"/>'),
    "attributes_reordered": _styles_with(
        '<numFmts count="1"><numFmt formatCode="h:mm" numFmtId="165"/></numFmts>', '<xf numFmtId="0"/><xf numFmtId="165"/>'),
    "no_date": _styles_with('<numFmts count="1"><numFmt numFmtId="164" formatCode="#,##0.00_ "/></numFmts>',
                            '<xf numFmtId="0"/><xf numFmtId="164"/><xf/>'),
}


@pytest.mark.parametrize("name", sorted(STYLES))
def test_the_date_styles_are_openpyxls(tmp_path, name):
    """Which cell styles are dates, read by one scan where the part is written plainly, is what
    openpyxl finds (and what the full parse found)."""
    path = rewrite(JINAN, tmp_path / f"{name}.xlsx", {r"xl/styles\.xml": lambda _: STYLES[name]})
    workbook = openpyxl.load_workbook(path, read_only=True)
    expected = set(workbook._date_formats)
    workbook.close()
    assert lean_package.date_styles(STYLES[name].encode()) == expected
    assert bool(expected) == (name not in ("custom_text_with_quotes", "builtin_date_overridden", "no_date"))


def _members(path) -> dict:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_members_handed_on_are_what_zipfile_reads(tmp_path):
    snapshot = check_file(JINAN)
    assert snapshot.inflated.names == set(_members(JINAN))
    assert snapshot.inflated.members == {n: d for n, d in _members(JINAN).items() if n.endswith((".xml", ".rels"))}
    assert take_snapshot(JINAN).inflated is None           # (then the reader reads the archive itself)


def test_a_member_zipfile_would_refuse_is_not_handed_on(tmp_path):
    """A local header naming another file: zipfile refuses the member, so the reader must meet it
    through zipfile too (and decline as it did), not read the checked bytes."""
    members = _members(JINAN)
    data = bytearray(raw_zip([(n, d, 0, zipfile.crc32(d), len(d), len(d)) for n, d in members.items()]))
    at = data.index(b"xl/styles.xml")                       # the local header's copy of the name comes first
    data[at:at + len(b"xl/styles.xml")] = b"xl/stylez.xml"
    path = tmp_path / "renamed.xlsx"
    path.write_bytes(bytes(data))
    snapshot = check_file(path)
    assert "xl/styles.xml" in snapshot.inflated.names and "xl/styles.xml" not in snapshot.inflated.members
    with pytest.raises(zipfile.BadZipFile):
        lean_grids(snapshot.data, inflated=snapshot.inflated)
    assert struct.unpack_from("<I", data, 0)[0] == 0x04034B50


@pytest.mark.parametrize("first, second", [("C7", "C8"), ("C8", "C7")])
def test_booleans_beside_equal_numbers(tmp_path, first, second):
    """True == 1 == 1.0: numbers shaped by value would turn a boolean into 1; beside booleans they are
    shaped by position."""
    path = rewrite(JINAN, tmp_path / "bools.xlsx", {SHEET: lambda x: set_cell(first, f'<c r="{first}" t="b"><v>1</v></c>')(
        set_cell(second, f'<c r="{second}"><v>1</v></c>')(set_cell("F7", '<c r="F7" t="b"><v>0</v></c>')(
            set_cell("F8", '<c r="F8"><v>0.0</v></c>')(x))))})
    snapshot, expected = _same_as_openpyxl(path)
    lean = _lean(snapshot)
    assert lean == expected
    row7, row8 = lean["公开01"][6], lean["公开01"][7]
    assert [type(v) for v in (row7[2], row8[2], row7[5], row8[5])] == [
        bool if first == "C7" else int, int if first == "C7" else bool, bool, int]


@pytest.mark.parametrize("cells, hint", [
    ('<c r="A1" t="n"><v>1</v></c><c r="C1" s="2"/>', 1),        # a styled empty cell right of calamine's width
    ('<c r="A1" t="n"><v>1</v></c><c r="C1" t="n"><v>2</v></c>', 3),
    ('<c r="B1" s="2"/>', 0),                                     # calamine sees no cell at all
    ("", 0),
    ('<c r="A1" t="n"><v>1</v></c>', 4),                          # calamine wider than the cells written (<x:c>…)
    ('<c r="F1" s="1"/><c r="A2" t="n"><v>1</v></c>', 1),
])
def test_the_width_confirmed_against_calamines_is_the_rightmost_cell(cells, hint):
    xml = f'<worksheet xmlns="{MAIN}"><sheetData><row r="1">{cells}</row></sheetData></worksheet>'.encode()
    rightmost = max((fast_reader.column_number(c) for c in set(fast_reader._CELL_COLUMN.findall(xml))), default=0)
    assert fast_reader._width(xml, hint, 6) == rightmost


@pytest.mark.parametrize("cell", ['<c r="C8"><v>5</v><f>C6+C7</f></c>',
                                  f'<c r="C8"><v>5</v> <x:f xmlns:x="{MAIN}">C6+C7</x:f></c>'])
def test_a_value_written_before_its_formula_is_read_as_openpyxl_reads_it(tmp_path, cell):
    """calamine reads such a cell (the schema puts <f> first) as blank: a figure lost. The fast
    path declines it and openpyxl reads the value."""
    path = rewrite(JINAN, tmp_path / "v_before_f.xlsx", {SHEET: set_cell("C8", cell)})
    snapshot, expected = _same_as_openpyxl(path)
    assert expected["公开01"][7][2] == 5
    with pytest.raises(lean_package.Unsupported):
        lean_grids(snapshot.data)


def test_the_notes_come_from_the_package_the_check_opened(tmp_path):
    """The 备注 are read (when a warning needs them) from the package the fast reader opened for the
    check, not by parsing the whole package again: the same notes as a fresh read, and never the
    notes of other bytes left on a snapshot."""
    from test_batch import SANGONG, reviewed_with_notes

    from juesuan.io.reader import notes_of
    from juesuan.io.safety import Snapshot

    noted = reviewed_with_notes(SANGONG, tmp_path / "noted.xlsx", {("R17.4", "公开09!L7"): "经批准的临时公务接待"})
    snapshot = check_file(noted)
    read_grids(snapshot, reader="fast")
    assert "lean" in snapshot.opened                          # the check's package, kept
    fresh = notes_of(check_file(noted))
    assert notes_of(snapshot) == fresh and "经批准的临时公务接待" in map(str, fresh.values())
    # a package opened from other bytes (the sample without 备注) is not taken for this file's
    plain = check_file(SANGONG)
    read_grids(plain, reader="fast")
    mixed = Snapshot(snapshot.path, snapshot.data, snapshot.stamp, snapshot.inflated, plain.opened)
    assert notes_of(mixed) == fresh and notes_of(plain) == {}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_cells_renamed_and_shuffled_at_random_are_read_alike(tmp_path, data):
    """公开01 with some cells' references naming another row of as many digits (colliding with
    cells there or in their own <row>, before or after them) and some rows' cells shuffled: the
    fast reader declines or reads what the openpyxl reference reads."""
    def edit(xml: str) -> str:
        cells = list(_CELL_XML.finditer(xml))
        renamed = {}
        for index in data.draw(st.lists(st.integers(0, len(cells) - 1), max_size=4, unique=True), label="renamed"):
            row = cells[index].group(2)
            target = data.draw(st.integers(10 ** (len(row) - 1), 10 ** len(row) - 1), label="to row")
            renamed[index] = cells[index].group(0).replace(f'r="{cells[index].group(1)}{row}"',
                                                          f'r="{cells[index].group(1)}{target}"', 1)
        out = [renamed.get(i, cell.group(0)) for i, cell in enumerate(cells)]
        for row in data.draw(st.lists(st.sampled_from(sorted({c.group(2) for c in cells})), max_size=3), label="shuffled"):
            at = [i for i, cell in enumerate(cells) if cell.group(2) == row]
            order = data.draw(st.permutations(at), label="order")
            picked = [out[i] for i in order]
            for i, cell in zip(at, picked):
                out[i] = cell
        pieces, last = [], 0
        for cell, text in zip(cells, out):
            pieces += [xml[last:cell.start()], text]
            last = cell.end()
        return "".join(pieces) + xml[last:]

    path = rewrite(JINAN, tmp_path / "moved.xlsx", {SHEET: edit})
    snapshot, expected = _same_as_openpyxl(path)
    try:
        lean = lean_grids(snapshot.data, inflated=snapshot.inflated)
    except lean_package.Unsupported:
        return
    assert lean == expected


def test_a_cell_named_twice_is_checked_but_never_written_back(tmp_path):
    """公开01 names C6 twice, the second time empty: the readers (and LibreOffice) keep 5065.48, but
    openpyxl, which writes our results, would keep the empty one and a saved workbook would lose the
    figure. The check runs; every write (fill in place or to a copy, check --write) is refused with
    the reason, and the file is left as it was."""
    from click.testing import CliRunner

    from juesuan.cli import main
    path = rewrite(JINAN, tmp_path / "twice.xlsx", {SHEET: set_cell("C8", '<c r="C6" s="15" t="n" />')})
    assert read_grids(check_file(path), reader="fast")["公开01"][5][2] == 5065.48
    before = path.read_bytes()
    assert CliRunner().invoke(main, ["check", str(path)]).exit_code == 0
    for command in (["fill", str(path), "--in-place"], ["fill", str(path), "-o", str(tmp_path / "copy.xlsx")],
                    ["check", str(path), "--write"]):
        result = CliRunner().invoke(main, command)
        assert result.exit_code != 0 and "工作表“公开01”中有单元格在文件里出现了两次" in result.output, command
        assert "Traceback" not in result.output
    assert path.read_bytes() == before and not (tmp_path / "copy.xlsx").exists()


def test_rows_written_out_of_order_are_read_where_their_numbers_say(tmp_path):
    """The fast reader leaves such a sheet to openpyxl, whose own row iteration skipped a row
    numbered below one already read: the reference reads every row where its number says, and
    the grid is as long as the highest <row> (an empty one too), wherever it stands."""
    def swap_rows_7_and_8_and_put_an_empty_row_40_before_37(xml: str) -> str:
        seven = re.search(r'<row r="7".*?</row>', xml, re.S).group(0)
        eight = re.search(r'<row r="8".*?</row>', xml, re.S).group(0)
        return xml.replace(seven + eight, eight + seven, 1).replace('<row r="37"', '<row r="40" /><row r="37"', 1)

    path = rewrite(JINAN, tmp_path / "swapped.xlsx", {SHEET: swap_rows_7_and_8_and_put_an_empty_row_40_before_37})
    grid, before = read_grids(check_file(path))["公开01"], read_grids(check_file(JINAN))["公开01"]
    assert len(before) == 37 and grid[:37] == before
    assert len(grid) == 40 and all(value is None for row in grid[37:] for value in row)
