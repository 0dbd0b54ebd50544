"""Issue #13, reading and entry: what hostile or careless input must not get past the reader.

9 a declared <dimension> never sizes the grids; 10 hidden standard sheets and look-alike
names are findings; 12 an error value is no unit name; 13 spaces inside a number, U+2212;
15 a catalogue row without a name, a bad JUESUAN_CATALOG; 16 absurdly large amounts;
20 a finding without a cell is located by its sheet alone.
"""
import re
import shutil
import subprocess
import sys
import textwrap
import zipfile
from decimal import Decimal

import fixtures_rich as F
import openpyxl
import pytest
from click.testing import CliRunner
from conftest import sample_path

from juesuan.cli import main
from juesuan.domain.catalog import CatalogError, read_code_csv
from juesuan.domain.money import AmountError, parse_amount
from juesuan.io.fast_reader import lean_grids
from juesuan.io.reader import check_file, read_grids
from juesuan.io.sheet_xml import MAX_COL
from juesuan.rules.findings import Finding
from juesuan.rules.parse import SheetGrids, parse_grids

BASE = "liaocheng_bjb_2024"


def _edited(tmp_path, name, edit):
    """A copy of the base sample, edited with openpyxl (the sample itself is written by openpyxl)."""
    path = tmp_path / name
    shutil.copy(sample_path(BASE), path)
    workbook = openpyxl.load_workbook(path)
    edit(workbook)
    workbook.save(path)
    return path


def _check(path, *extra):
    return CliRunner().invoke(main, ["check", str(path), *extra])


# --- 9: the declared dimension ----------------------------------------------------------
def _declaring(tmp_path, ref: str, extra_cell: bytes = b""):
    source = sample_path(BASE)
    part = F.sheet_part(source, "公开02")
    with zipfile.ZipFile(source) as archive:
        body = archive.read(part)
    lying = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="' + ref.encode() + b'"', body, count=1)
    if extra_cell:
        lying = lying.replace(b"</sheetData>", extra_cell + b"</sheetData>")
    assert lying != body
    return F.rezip(source, tmp_path / "维度.xlsx", {part: lying})


@pytest.mark.parametrize("reader", ["openpyxl", "fast"])
def test_a_huge_declared_dimension_does_not_size_the_grid(tmp_path, reader):
    honest = read_grids(sample_path(BASE))["公开02"]
    path = _declaring(tmp_path, "A1:XFD19000")
    grid = read_grids(path, reader)["公开02"]
    # the cells present: as many rows and columns as the honest file, not 19000 × 16384
    assert (len(grid), len(grid[0])) == (len(honest), len(honest[0]))
    lean = lean_grids(check_file(path).data)            # the fast path itself, no fallback
    assert lean["公开02"] == grid


@pytest.mark.parametrize("reader", ["openpyxl", "fast"])
def test_a_cell_far_to_the_right_does_not_widen_the_grid(tmp_path, reader):
    """A present cell in column XFD: nothing right of the widest table's last column is read, so it
    widens nothing (its row still counts, as every <row> does)."""
    honest = read_grids(sample_path(BASE))["公开02"]
    path = _declaring(tmp_path, "A1:XFD900", b'<row r="900"><c r="XFD900" t="n"><v>1</v></c></row>')
    grid = read_grids(path, reader)["公开02"]
    assert len(grid) == 900 and max(len(row) for row in grid) == len(honest[0]) <= MAX_COL
    assert all(value is None for row in grid[len(honest):] for value in row)
    assert read_grids(path, "fast") == read_grids(path, "openpyxl")


def _peak_rss_mib(tmp_path, *args) -> int:
    """Peak resident memory of a fresh interpreter running `juesuan *args` (KiB on Linux).

    Its own peak is read from VmHWM where /proc has it: ru_maxrss of a process started from this
    one begins at the pytest process's peak (Linux carries the high-water mark across the vfork and
    exec subprocess uses), so after a long sequential run it measured pytest, not juesuan."""
    script = textwrap.dedent(f"""
        import os, resource, sys
        from click.testing import CliRunner
        from juesuan.cli import main
        result = CliRunner().invoke(main, {list(map(str, args))!r})
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        if os.path.exists("/proc/self/status"):
            with open("/proc/self/status") as status:
                own = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        print(result.exit_code, max(own, children) // 1024)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, timeout=600)
    code, peak = done.stdout.split()[-2:]
    assert code in ("0", "1"), done.stdout + done.stderr
    return int(peak)


def test_check_and_batch_of_a_dimension_bomb_stay_small(tmp_path):
    """43 KB declaring A1:XFD19000 once took 2.4 GB; a plain check of a sample takes well under 300 MB."""
    path = _declaring(tmp_path, "A1:XFD19000")
    assert _peak_rss_mib(tmp_path, "check", path) < 400
    assert _peak_rss_mib(tmp_path, "batch", tmp_path, "--jobs", "1") < 400


# --- 10: hidden standard sheets and look-alikes -----------------------------------------
def _decoy(workbook):
    """A visible '公开03 ' with a wrong figure in front of the real 公开03, made very hidden."""
    real = workbook["公开03"]
    decoy = workbook.copy_worksheet(real)
    decoy.title = "公开03 "
    decoy["C7"] = 1
    real.sheet_state = "veryHidden"


def test_a_hidden_standard_sheet_behind_a_decoy_is_an_error(tmp_path):
    path = _edited(tmp_path, "诱饵.xlsx", _decoy)
    grids = read_grids(path)
    assert grids.hidden == {"公开03": "veryHidden"}
    assert read_grids(path, "fast") == grids                 # SheetGrids compare their hidden sheets too
    assert lean_grids(check_file(path).data).hidden == {"公开03": "veryHidden"}
    result = _check(path)
    assert result.exit_code == 1, result.output
    assert "工作表“公开03”被深度隐藏" in result.output
    assert "Visible" in result.output                       # how to unhide it
    assert "工作表“公开03 ”与标准工作表“公开03”名称几乎相同" in result.output


def test_a_plainly_hidden_sheet_says_how_to_unhide_it(tmp_path):
    path = _edited(tmp_path, "隐藏.xlsx", lambda wb: setattr(wb["单位信息"], "sheet_state", "hidden"))
    assert read_grids(path, "fast") == read_grids(path) and read_grids(path).hidden == {"单位信息": "hidden"}
    result = _check(path)
    assert result.exit_code == 1
    assert "工作表“单位信息”被隐藏" in result.output and "取消隐藏" in result.output


def test_grids_differing_only_in_hidden_sheets_are_not_equal():
    assert SheetGrids({"公开01": []}, {"公开01": "hidden"}) != SheetGrids({"公开01": []})
    assert SheetGrids({"公开01": []}) == {"公开01": []}


# --- 12: an error value as the unit's name ----------------------------------------------
@pytest.mark.parametrize("error", ["#NAME?", "#REF!"])
def test_an_error_value_is_no_unit_name(tmp_path, error):
    path = _edited(tmp_path, "错误值.xlsx", lambda wb: wb["单位信息"].__setitem__("B3", error))
    assert read_grids(path)["单位信息"][2][1] == error      # openpyxl wrote it as an error cell
    report = parse_grids(read_grids(path), str(path))
    found = [f for f in report.findings if f.rule == "E03"]
    assert [(f.table, f.cell, f.severity) for f in found] == [("单位信息", "B3", "error")]
    assert error in found[0].message
    assert _check(path).exit_code == 1


# --- 13: spaces inside a number, the minus sign U+2212 -------------------------------------
@pytest.mark.parametrize("raw", ["10 7.71", "12 34", "1 22 5", "１０ ７"])
def test_spaces_inside_a_number_are_refused(raw):
    with pytest.raises(AmountError) as caught:
        parse_amount(raw)
    assert "数字中间有空格" in str(caught.value)


@pytest.mark.parametrize("raw, expected", [
    (" 1 225.21 ", "1225.21"), ("1 234 567", "1234567"), ("  12  ", "12"),   # a space as thousands separator
    ("\u22125", "-5"), ("\u22121,234.50", "-1234.50"),                      # U+2212 is a minus sign
])
def test_thousands_spaces_and_the_typographic_minus_are_accepted(raw, expected):
    assert str(parse_amount(raw)) == expected


def test_a_spaced_number_in_a_sheet_is_e01_at_its_cell():
    grids = read_grids(sample_path(BASE))
    grids["公开02"][7] = grids["公开02"][7][:2] + ("10 7.71",) + grids["公开02"][7][3:]   # C8
    found = [f for f in parse_grids(grids).findings if f.rule == "E01"]
    assert [(f.table, f.cell) for f in found] == [("公开02", "C8")]


# --- 15: the catalogue ------------------------------------------------------------------
def test_a_catalogue_row_without_a_name_is_a_chinese_error(tmp_path):
    path = tmp_path / "目录.csv"
    path.write_text("code,name\n2010301,行政运行\n2010399\n", encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        read_code_csv(path)
    assert str(path) in str(caught.value) and "第3行" in str(caught.value) and "缺少名称" in str(caught.value)


def test_a_bad_catalogue_in_the_environment_spares_version_and_help(tmp_path):
    bad = tmp_path / "坏目录.csv"
    bad.write_text("code,name\n2010399\n", encoding="utf-8")
    env = {"JUESUAN_CATALOG": str(bad)}
    code = ("import sys; from click.testing import CliRunner; from juesuan.cli import main; "
            "r = CliRunner().invoke(main, sys.argv[1:]); print(r.exit_code); print(r.output)")
    for args in (["--version"], ["--help"]):           # a fresh interpreter: the import itself is the point
        done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                              env={**__import__("os").environ, **env}, timeout=120)
        assert done.returncode == 0 and done.stdout.startswith("0\n"), done.stdout + done.stderr
    result = CliRunner().invoke(main, ["check", str(sample_path(BASE))], env=env)
    assert result.exit_code == 2, result.output
    assert "缺少名称" in result.output and "Traceback" not in result.output


# --- 16: absurd amounts -----------------------------------------------------------------
@pytest.mark.parametrize("raw", [Decimal("1E+27"), 1e27, 10 ** 15, "1,000,000,000,000,000"])
def test_amounts_beyond_excel_precision_are_refused(raw):
    with pytest.raises(AmountError) as caught:
        parse_amount(raw)
    assert "金额过大" in str(caught.value)


def test_the_largest_amount_excel_keeps_is_accepted():
    assert parse_amount(999_999_999_999_999) == Decimal("999999999999999")


def test_a_huge_amount_is_a_finding_and_publish_force_does_not_crash(tmp_path):
    path = _edited(tmp_path, "巨额.xlsx", lambda wb: wb["公开02"].__setitem__("C7", 1e27))
    result = _check(path)
    assert result.exit_code == 1 and "金额过大" in result.output, result.output
    for out in ("公开.json", "公开.xlsx", "公开.csv"):
        published = CliRunner().invoke(main, ["publish", str(path), "-o", str(tmp_path / out), "--force"])
        assert published.exit_code == 0, (out, published.output, published.exception)
        assert (tmp_path / out).exists()


# --- 20: where a finding is -------------------------------------------------------------
def test_a_finding_without_a_cell_is_located_by_its_sheet_alone():
    assert Finding("E02", "error", "公开09", None, "缺少工作表").where == "公开09"
    assert Finding("E01", "error", "公开02", "C8", "…").where == "公开02!C8"


def test_fill_prints_a_missing_sheet_without_a_trailing_bang(tmp_path):
    path = _edited(tmp_path, "缺表.xlsx", lambda wb: wb.remove(wb["公开09"]))
    result = CliRunner().invoke(main, ["fill", str(path)])
    assert "缺少工作表“公开09”" in result.output, result.output
    assert "公开09!" not in result.output
    assert re.search(r"\[错误\] E02 +公开09 缺少工作表", result.output), result.output
