"""The buttons inside Excel: VBA contracts, the built add-in and workbook, and the xlwings adapter.

No Excel here. What stands in for it, for real:
- xlwings' own Book/Sheet/Range classes on its remote engine (``xw.Book(json=payload)``), the
  payload being what xlwings' VBA client sends; the actions they return are replayed onto the
  same file with openpyxl and compared with what ``juesuan check --write`` makes of it;
- oletools' olevba reading the VBA back out of the built .xlam/.xlsm;
- pyOpenVBA's VBA interpreter running our macros (RunPython replaced by a recording stub);
- LibreOffice (when installed) opening the .xlsm and binding its buttons to our macros.
"""
import ast
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from datetime import datetime
from io import StringIO

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")   # xlwings' documented key for open source

import openpyxl  # noqa: E402
import pytest  # noqa: E402
import support.xlwings_replay as replay  # noqa: E402
from conftest import ROOT, SAMPLES, needs_soffice  # noqa: E402
from helpers import cell_snapshot  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import juesuan.excel as xl  # noqa: E402
import juesuan.excel.build as builder  # noqa: E402
from juesuan.domain.catalog import load_catalog  # noqa: E402
from juesuan.domain.schema import INFO_SHEET, REVIEW_SHEET  # noqa: E402
from juesuan.excel import live  # noqa: E402
from juesuan.excel.version import XLWINGS_VERSION  # noqa: E402
from juesuan.ops import check_book, fill_book, save_review  # noqa: E402

CATALOG = load_catalog()

MACROS = ROOT / "macros"
ADDIN = ROOT / "xlsx_templates" / "juesuan.xlam"
XLSM = ROOT / "xlsx_templates" / "standard.xlsm"
WHEN = datetime(2024, 1, 1, 9, 0, 0)
BUTTON_LABELS = {"审核", "填充计算", "生成公开表", "生成情况说明", "清除标记"}
RIBBON_ONLY = {"汇总": "merge"}          # the add-in's ribbon; a unit's workbook has no 汇总 button
BROKEN = SAMPLES / "broken"


def runpython_commands(text: str) -> list[str]:
    return [m.replace('""', '"') for m in re.findall(r'^\s*RunPython "((?:[^"]|"")*)"\s*$', text, re.M)]


def vba_subs(text: str) -> dict[str, str]:
    """Sub name -> parameter list, of one module's source."""
    return {m.group(1): m.group(2).strip() for m in re.finditer(r"^(?:Public |Private )?Sub (\w+)\(([^)]*)\)", text, re.M)}


def bas_files():
    return sorted(MACROS.glob("*.bas"))


# --- (a) contracts -----------------------------------------------------------------------
def test_macro_sources_are_ascii_and_named_like_their_files():
    assert bas_files(), "no VBA source in macros/"
    for path in bas_files():
        data = path.read_bytes()
        assert all(b < 128 for b in data), f"{path.name} is not ASCII: spell Chinese with ChrW"
        assert data.decode().startswith(f'Attribute VB_Name = "{path.stem}"')


def test_every_runpython_string_imports_and_calls_an_existing_function():
    import importlib
    import inspect
    called = set()
    for path in bas_files():
        for command in runpython_commands(path.read_text()):
            tree = ast.parse(command)
            imports = [n for n in tree.body if isinstance(n, ast.Import)]
            calls = [n for n in tree.body if isinstance(n, ast.Expr) and isinstance(n.value, ast.Call)]
            assert len(imports) == 1 and len(calls) == 1 and len(tree.body) == 2, command
            alias = imports[0].names[0]
            assert alias.name == "juesuan.excel", f"fixed ASCII module expected, got {alias.name}"
            func = calls[0].value.func
            assert isinstance(func, ast.Attribute) and func.value.id == (alias.asname or alias.name)
            target = getattr(importlib.import_module(alias.name), func.attr)
            assert callable(target)
            inspect.signature(target).bind()          # callable with no arguments, as RunPython calls it
            called.add(func.attr)
    assert called == set(xl.ENTRY_POINTS)


def test_runpython_lines_are_one_literal_each_never_built_from_the_workbook_name():
    text = (MACROS / "Juesuan.bas").read_text()
    lines = [line.strip() for line in text.splitlines() if "RunPython" in line and not line.strip().startswith("'")]
    assert len(lines) == 5 + len(RIBBON_ONLY)
    for line in lines:
        assert re.fullmatch(r'RunPython "[^"&]*"', line), line      # no & concatenation, no ThisWorkbook.Name
    for sub, params in vba_subs(text).items():
        if sub.startswith("Juesuan"):
            assert params == ""                                     # buttons call macros without arguments


def test_every_ribbon_action_names_a_sub_in_the_vba():
    tree = ET.parse(MACROS / "customUI.xml")
    ns = {"c": "http://schemas.microsoft.com/office/2006/01/customui"}
    assert tree.getroot().tag == "{http://schemas.microsoft.com/office/2006/01/customui}customUI"
    tab = tree.find(".//c:tab", ns)
    assert tab.get("label") == "决算助手"
    buttons = tree.findall(".//c:button", ns)
    assert {b.get("label") for b in buttons} == BUTTON_LABELS | set(RIBBON_ONLY)
    for button in buttons:
        module, _, sub = button.get("onAction").rpartition(".")
        source = (MACROS / f"{module}.bas").read_text()
        assert vba_subs(source).get(sub) == "control As IRibbonControl", button.get("onAction")


def _interpreter(modules: dict[str, str]):
    """pyOpenVBA's VBA interpreter with our modules and a RunPython that records its command."""
    from pyopenvba.apps.excel import ExcelApplication
    app = ExcelApplication()
    app.add_workbook()
    for name, source in modules.items():
        app.add_module(source, name=name)
    stub = ('Public Calls As String\nPublic Fail As String\n'
            'Public Function RunPython(PythonCommand As String)\n'
            '    If Fail <> "" Then Err.Raise 1, Description:=Fail\n'
            '    Calls = Calls & PythonCommand & "|"\nEnd Function\n'
            'Public Sub SetFail(ByVal text As String)\n    Fail = text\nEnd Sub\n')
    app.add_module(stub, name="xlwings")
    return app


def _ribbon_probe(tree) -> str:
    ns = {"c": "http://schemas.microsoft.com/office/2006/01/customui"}
    lines = [f"    {b.get('onAction').rpartition('.')[2]} Nothing" for b in tree.findall(".//c:button", ns)]
    return "Public Sub Probe()\n" + "\n".join(lines) + "\nEnd Sub\n"


def test_buttons_and_ribbon_run_their_python_in_a_vba_interpreter():
    """The modules as built into the add-in, run: each ribbon callback reaches its button's RunPython call."""
    modules = builder.modules_of(ADDIN)
    tree = ET.parse(MACROS / "customUI.xml")
    app = _interpreter({"Juesuan": modules["Juesuan"], "JuesuanRibbon": modules["JuesuanRibbon"],
                        "Probe": _ribbon_probe(tree)})
    for _caption, macro in builder.BUTTONS:
        app.run(macro)
    from_buttons = app.evaluate("Calls")
    assert from_buttons.split("|")[:-1] == [f"import juesuan.excel as xl; xl.{name}()"
                                            for name in ("validate", "fill", "publish", "narrate", "clear_marks")]
    app2 = _interpreter({"Juesuan": modules["Juesuan"], "JuesuanRibbon": modules["JuesuanRibbon"],
                         "Probe": _ribbon_probe(tree)})
    app2.run("Probe")
    ribbon_only = "".join(f"import juesuan.excel as xl; xl.{name}()|" for name in RIBBON_ONLY.values())
    assert app2.evaluate("Calls") == from_buttons + ribbon_only   # ribbon order is button order, then 汇总


def test_a_python_that_cannot_start_gets_chinese_setup_help():
    app = _interpreter({"Juesuan": (MACROS / "Juesuan.bas").read_text()})
    app.run("SetFail", "Could not load xlwings64-0.37.8.dll")
    app.run("JuesuanValidate")
    (kind, text, title, style), = app.dialogs
    assert kind == "MsgBox" and title == "决算助手" and style == 16      # vbCritical
    assert text.startswith("无法启动 Python（Could not load xlwings64-0.37.8.dll）。")
    assert "“决算助手离线安装包”中的 安装.bat" in text and "安装说明.txt" in text      # the bundle, not the index
    assert "pip install" not in text


def test_xlwings_version_is_pinned_the_same_everywhere():
    import xlwings
    text = (ROOT / "pyproject.toml").read_text()
    for extra in ("excel", "test"):
        line = re.search(rf"^{extra} = \[(.*)\]$", text, re.M).group(1)
        assert f'"xlwings=={XLWINGS_VERSION}"' in line, extra
    assert xlwings.__version__ == XLWINGS_VERSION
    for path, addin in ((ADDIN, True), (XLSM, False)):
        source = builder.modules_of(path)["xlwings"]
        assert f'XLWINGS_VERSION As String = "{XLWINGS_VERSION}"' in source
        assert f'xlwings64-{XLWINGS_VERSION}.dll' in source


# --- (a) the built files -----------------------------------------------------------------
@pytest.mark.parametrize("path,addin", [(ADDIN, True), (XLSM, False)], ids=["xlam", "xlsm"])
def test_built_file_holds_the_modules_of_macros_and_the_pinned_xlwings(path, addin):
    got = builder.modules_of(path)            # oletools' olevba reading the VBA project
    want = builder.expected_modules(addin)
    for name, source in want.items():
        assert got.get(name) == source, f"{path.name}: module {name} differs from its source; " \
                                        "run python -m juesuan.excel.build"
    from juesuan.domain.schema import SHEET_NAMES        # one document module per sheet of the standard workbook
    assert set(got) - set(want) <= {"ThisWorkbook"} | {f"Sheet{i}" for i in range(1, len(SHEET_NAMES) + 1)}
    if addin:
        assert 'PROJECT_NAME As String = "xlwings"' in got["xlwings"]     # reads xlwings.conf like xlwings does


def test_addin_carries_the_ribbon_and_is_an_addin():
    with zipfile.ZipFile(ADDIN) as archive:
        assert archive.read("customUI/customUI.xml") == (MACROS / "customUI.xml").read_bytes()
        rels = archive.read("_rels/.rels").decode()
        types = archive.read("[Content_Types].xml").decode()
        core = archive.read("docProps/core.xml").decode()
    assert re.search(r'Type="http://schemas.microsoft.com/office/2006/relationships/ui/extensibility" '
                     r'Target="customUI/customUI.xml"', rels)
    assert 'PartName="/xl/workbook.xml" ContentType="application/vnd.ms-excel.addin.macroEnabled.main+xml"' in types
    assert "<dc:title>决算助手</dc:title>" in core


def test_workbook_buttons_sit_on_the_info_sheet_and_call_existing_macros():
    with zipfile.ZipFile(XLSM) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    assert b"application/vnd.ms-excel.sheet.macroEnabled.main+xml" in parts["[Content_Types].xml"]
    sheet = builder.sheet_part(parts, INFO_SHEET)
    rid = re.search(r'<legacyDrawing r:id="(rId\d+)"/>', parts[sheet].decode()).group(1)
    rels = parts[sheet.replace("worksheets/", "worksheets/_rels/") + ".rels"].decode()
    target = re.search(rf'Id="{rid}"[^>]*Target="\.\./([^"]+)"', rels).group(1)
    vml = parts["xl/" + target].decode()
    captions = re.findall(r'<font [^>]*>([^<]+)</font>', vml)
    macros = re.findall(r"<x:FmlaMacro>\[0\]!(\w+)</x:FmlaMacro>", vml)
    assert set(captions) == BUTTON_LABELS and len(macros) == 5
    subs = vba_subs(builder.modules_of(XLSM)["Juesuan"])
    for macro in macros:
        assert subs.get(macro) == "", macro


def test_workbook_is_the_standard_workbook_cell_for_cell(tmp_path):
    from juesuan.io.template_xlsx import build_workbook
    fresh = tmp_path / "fresh.xlsx"
    build_workbook(CATALOG).save(fresh)
    assert cell_snapshot(XLSM) == cell_snapshot(fresh), \
        "xlsx_templates/standard.xlsm is stale: run python -m juesuan.excel.build"
    assert all(table.present for table in check_book(XLSM, CATALOG).report.tables.values())


def test_rebuilding_gives_the_same_modules_ribbon_and_buttons(tmp_path):
    fresh = builder.build(tmp_path)
    for new in fresh:
        old = ROOT / "xlsx_templates" / new.name
        assert builder.modules_of(new) == builder.modules_of(old)
        with zipfile.ZipFile(new) as a, zipfile.ZipFile(old) as b:
            assert a.namelist() == b.namelist()
            for name in a.namelist():
                if not name.endswith(".bin"):
                    assert a.read(name) == b.read(name), f"{new.name}:{name} differs from a rebuild"


@needs_soffice
def test_libreoffice_opens_the_workbook_and_binds_each_button_to_our_macro(tmp_path):
    """An independent reader of the VBA project and the VML buttons (not Excel, but not ours either)."""
    shutil.copy(XLSM, tmp_path / "standard.xlsm")
    with zipfile.ZipFile(ADDIN) as src, zipfile.ZipFile(tmp_path / "addin.xlsm", "w") as dst:
        for item in src.infolist():       # the add-in as a workbook: LibreOffice does not open .xlam
            data = src.read(item)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"addin.macroEnabled.main+xml", b"sheet.macroEnabled.main+xml")
            dst.writestr(item, data)
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    subprocess.run([soffice, "--headless", "--convert-to", "ods", "--outdir", str(tmp_path),
                    str(tmp_path / "standard.xlsm"), str(tmp_path / "addin.xlsm")],
                   capture_output=True, timeout=180, check=True)
    with zipfile.ZipFile(tmp_path / "standard.ods") as ods:
        content = ods.read("content.xml").decode()
        module = ods.read("Basic/VBAProject/Juesuan.xml").decode()
    labels = re.findall(r'<form:button [^>]*form:label="([^"]+)"', content)
    bound = re.findall(r"vnd\.sun\.star\.script:VBAProject\.Juesuan\.(\w+)\?", content)
    assert set(labels) == BUTTON_LABELS
    assert bound == [macro for _caption, macro in builder.BUTTONS]
    assert "import juesuan.excel as xl; xl.validate()" in module
    with zipfile.ZipFile(tmp_path / "addin.ods") as ods:
        names = ods.namelist()
        ribbon_module = ods.read("Basic/VBAProject/JuesuanRibbon.xml").decode()
    assert {"Basic/VBAProject/Juesuan.xml", "Basic/VBAProject/xlwings.xml"} <= set(names)
    assert "Sub RibbonValidate(control As IRibbonControl)" in ribbon_module


# --- (b) the adapter through xlwings' object model ----------------------------------------
def cli_and_excel_copies(tmp_path, source):
    cli, excel = tmp_path / f"cli-{source.name}", tmp_path / f"excel-{source.name}"
    shutil.copy(source, cli)
    shutil.copy(source, excel)
    return cli, excel


PARITY_BOOKS = [SAMPLES / "jinan_lixia_2023.xlsx", BROKEN / "text_in_amount.xlsx",
                BROKEN / "missing_sheet.xlsx", BROKEN / "total_typed_wrong.xlsx"]


@pytest.mark.parametrize("source", PARITY_BOOKS, ids=lambda p: p.stem)
def test_validate_through_xlwings_equals_cli_check_write(tmp_path, source):
    cli, excel = cli_and_excel_copies(tmp_path, source)
    save_review(check_book(cli, CATALOG), cli, when=WHEN)
    actions, alerts, replayed = replay.run_through_excel_model(excel, xl.validate, WHEN, save=False)
    assert replay.compare_reviews(cli, replayed) == []
    assert {a["func"] for a in actions} <= replay.vba_client_actions()
    counts = check_book(cli, CATALOG).summary
    (prompt, title, buttons, mode, _callback), = alerts
    assert title == "决算助手" and buttons == "ok"
    assert prompt.startswith(f"审核完成：错误 {counts['error']} 条，警告 {counts['warning']} 条，提示 {counts['info']} 条")
    assert mode == ("critical" if counts["error"] else "info")
    assert replayed.active.title == REVIEW_SHEET


def test_writes_are_blocks_not_cells(tmp_path):
    """One value write for the whole review; colours one call per rectangle; per cell only hyperlinks."""
    _cli, excel = cli_and_excel_copies(tmp_path, SAMPLES / "jinan_lixia_2023.xlsx")
    actions, _alerts, replayed = replay.run_through_excel_model(excel, xl.validate, WHEN, save=False)
    by = {}
    for action in actions:
        by.setdefault(action["func"], []).append(action)
    assert len(by["setValues"]) == 2                          # title A1 + the review block
    block = by["setValues"][1]
    assert block["row_count"] >= 30 and block["column_count"] == 16     # A..P: the registry and the fill record
    links = [c for c in replayed[REVIEW_SHEET]["E"] if c.hyperlink]
    assert len(by["addHyperlink"]) == len(links) > 20
    marked = {(a["sheet_position"], a["start_row"] + i, a["start_column"] + j)
              for a in by["setRangeColor"] if a["sheet_position"] != len(replayed.sheetnames) - 1
              for i in range(a["row_count"]) for j in range(a["column_count"])}
    mark_calls = [a for a in by["setRangeColor"] if a["sheet_position"] != len(replayed.sheetnames) - 1]
    assert len(mark_calls) < len(marked)                      # adjacent cells went together


def test_second_run_keeps_notes_and_restores_what_was_fixed_like_the_cli(tmp_path):
    cli, excel = cli_and_excel_copies(tmp_path, BROKEN / "text_in_amount.xlsx")
    save_review(check_book(cli, CATALOG), cli, when=WHEN)
    replay.run_through_excel_model(excel, xl.validate, WHEN)
    for path in (cli, excel):           # the clerk writes notes and fixes the error
        wb = openpyxl.load_workbook(path)
        wb[REVIEW_SHEET]["J7"] = "已核实，系四舍五入"    # row 6 is the error fixed below
        wb[REVIEW_SHEET]["J8"] = 12
        wb["公开05"]["D9"] = 757.06
        wb.save(path)
    save_review(check_book(cli, CATALOG), cli, when=WHEN)
    _actions, _alerts, replayed = replay.run_through_excel_model(excel, xl.validate, WHEN, save=False)
    assert replay.compare_reviews(cli, replayed) == []
    assert replayed["公开05"]["D9"].fill.fill_type is None     # the fixed cell lost its red
    notes = [c.value for c in replayed[REVIEW_SHEET]["J"] if c.value not in (None, "备注")]
    assert sorted(notes, key=str) == [12, "已核实，系四舍五入"]


def test_excel_after_cli_and_cli_after_excel_agree(tmp_path):
    """Clerks switch between the command line and the buttons: each reads the other's registry."""
    cli, excel = cli_and_excel_copies(tmp_path, BROKEN / "total_typed_wrong.xlsx")
    save_review(check_book(cli, CATALOG), cli, when=WHEN)
    save_review(check_book(excel, CATALOG), excel, when=WHEN)       # both start from a CLI run
    wb = openpyxl.load_workbook(cli)
    wb["公开03"]["C6"] = 500.07
    wb.save(cli)
    shutil.copy(cli, excel)
    save_review(check_book(cli, CATALOG), cli, when=WHEN)
    _a, _b, replayed = replay.run_through_excel_model(excel, xl.validate, WHEN)
    assert replay.compare_reviews(cli, replayed) == []
    save_review(check_book(excel, CATALOG), excel, when=WHEN)       # and the CLI after the button
    assert replay.compare_reviews(cli, openpyxl.load_workbook(excel)) == []


def test_review_sheet_is_added_when_the_book_has_none(tmp_path):
    cli, excel = cli_and_excel_copies(tmp_path, BROKEN / "total_typed_wrong.xlsx")
    for path in (cli, excel):
        wb = openpyxl.load_workbook(path)
        del wb[REVIEW_SHEET]
        wb.save(path)
    save_review(check_book(cli, CATALOG), cli, when=WHEN)
    actions, _alerts, replayed = replay.run_through_excel_model(excel, xl.validate, WHEN, save=False)
    assert "addSheet" in {a["func"] for a in actions}
    assert replayed.sheetnames[-1] == REVIEW_SHEET
    assert replay.compare_reviews(cli, replayed) == []


@pytest.mark.parametrize("source", [BROKEN / "total_typed_wrong.xlsx", SAMPLES / "zibo_zhangdian_2024.xlsx"],
                         ids=lambda p: p.stem)
def test_fill_through_xlwings_equals_cli_fill(tmp_path, source):
    cli, excel = cli_and_excel_copies(tmp_path, source)
    filled, _result = fill_book(cli, CATALOG, when=WHEN)
    actions, alerts, replayed = replay.run_through_excel_model(excel, xl.fill, WHEN, save=False)
    assert filled.changes, "the sample should have something to fill"
    assert replay.compare_reviews(cli, replayed) == []          # amounts, review and colours
    assert {a["func"] for a in actions} <= replay.vba_client_actions()
    assert alerts[-1][0].startswith(f"填充计算完成：更新了 {len(filled.changes)} 个自动计算单元格")
    amount_writes = [a for a in actions if a["func"] == "setValues" and a["sheet_position"] < 10]
    assert len(amount_writes) <= len(filled.changes)
    if source.stem == "zibo_zhangdian_2024":                 # its changed cells touch: rectangles, not cells
        assert len(amount_writes) < len(filled.changes)


def test_clear_marks_puts_every_fill_back(tmp_path):
    source = BROKEN / "text_in_amount.xlsx"
    _cli, excel = cli_and_excel_copies(tmp_path, source)
    replay.run_through_excel_model(excel, xl.validate, WHEN)
    actions, alerts, replayed = replay.run_through_excel_model(excel, xl.clear_marks)
    original = openpyxl.load_workbook(source)
    for name in original.sheetnames:
        if name == REVIEW_SHEET:
            continue
        for row in original[name].iter_rows():
            for cell in row:
                assert replay.fill_key(cell) == replay.fill_key(replayed[name][cell.coordinate]), f"{name}!{cell.coordinate}"
    assert alerts[0][0].startswith("已清除 ")
    assert {a["func"] for a in actions} == {"setRangeColor", "rangeClearContents", "alert"}
    _actions, again, _wb = replay.run_through_excel_model(excel, xl.clear_marks, save=False)
    assert again[0][0] == "没有需要清除的标记。"


def test_publish_from_the_open_book_equals_juesuan_publish(tmp_path):
    from click.testing import CliRunner

    from juesuan.cli import main
    source = SAMPLES / "liaocheng_bjb_2024.xlsx"
    cli_out, excel_out = tmp_path / "cli.xlsx", tmp_path / "excel.xlsx"
    result = CliRunner().invoke(main, ["publish", str(source), "-o", str(cli_out)])
    assert result.exit_code == 0, result.output
    book = replay.remote_book(replay.payload_from_file(source))
    assert xl.publish(book, output=excel_out) == excel_out
    a, b = openpyxl.load_workbook(cli_out), openpyxl.load_workbook(excel_out)
    assert a.sheetnames == b.sheetnames
    for name in a.sheetnames:
        assert [[c.value for c in r] for r in a[name].iter_rows()] == [[c.value for c in r] for r in b[name].iter_rows()]
    (alert,) = book.json()["actions"]
    assert alert["func"] == "alert" and alert["args"][0].startswith("公开表已生成：")


def test_publish_refuses_a_book_with_errors_and_an_unsaved_book(tmp_path):
    book = replay.remote_book(replay.payload_from_file(BROKEN / "total_typed_wrong.xlsx"))
    assert xl.publish(book, output=tmp_path / "out.xlsx") is None
    assert not (tmp_path / "out.xlsx").exists()
    (alert,) = book.json()["actions"]
    assert alert["args"][0].startswith("审核发现 3 条错误，不能生成公开表") and alert["args"][3] == "critical"
    book = replay.remote_book(replay.payload_from_file(SAMPLES / "liaocheng_bjb_2024.xlsx"))
    xl.publish(book)                                     # no output given, and the book has no folder
    (alert,) = book.json()["actions"]
    assert "请先“另存为”" in alert["args"][0]


def _alerts(book) -> list[tuple[str, str]]:
    return [(a["args"][0], a["args"][3]) for a in book.json()["actions"] if a["func"] == "alert"]


def test_narrate_writes_the_docx_beside_the_saved_workbook_and_never_over_an_earlier_draft(tmp_path):
    docx = pytest.importorskip("docx")
    pytest.importorskip("matplotlib")
    source = tmp_path / "单位.xlsx"
    shutil.copy(SAMPLES / "liaocheng_bjb_2024.xlsx", source)
    book = replay.remote_book(replay.payload_from_file(source, book_name=str(source)))   # fullname: the saved file
    written = xl.narrate(book)
    assert written == tmp_path / "单位-情况说明.docx"
    text = [p.text for p in docx.Document(str(written)).paragraphs]
    assert text[0] == "2024年度单位决算情况说明" and "十三、预算绩效情况说明" in text
    ((message, mode),) = _alerts(book)
    assert message == f"情况说明已生成：\n{written}\n没有【待填写】的内容；公开前请通读核对。" and mode == "info"
    assert [a["func"] for a in book.json()["actions"]] == ["alert"]       # nothing written into the workbook
    # a second press: the first draft (which the clerk may have completed in Word) stays as it was
    first = written.read_bytes()
    book = replay.remote_book(replay.payload_from_file(source, book_name=str(source)))
    assert xl.narrate(book) == tmp_path / "单位-情况说明(2).docx"
    assert written.read_bytes() == first
    assert "（已有的“单位-情况说明.docx”可能已补充过内容，未覆盖。）" in _alerts(book)[0][0]


def test_narrate_counts_the_placeholders_left_for_the_clerk(tmp_path):
    pytest.importorskip("docx")
    pytest.importorskip("matplotlib")
    source = tmp_path / "本年.xlsx"
    shutil.copy(SAMPLES / "liaocheng_bjb_2024.xlsx", source)
    workbook = openpyxl.load_workbook(source)
    workbook["上年数"]["C4"] = None           # the reason for the change of 收、支总计 left blank
    workbook.save(source)
    book = replay.remote_book(replay.payload_from_file(source, book_name=str(source)))
    assert xl.narrate(book) == tmp_path / "本年-情况说明.docx"
    ((message, mode),) = _alerts(book)
    assert "\n有 1 处【待填写】（Word 中黄色突出显示），请补充后再公开。" in message and mode == "info"


def test_narrate_tells_an_older_workbook_which_sheets_it_lacks(tmp_path):
    pytest.importorskip("docx")
    pytest.importorskip("matplotlib")
    source = tmp_path / "旧版.xlsx"
    workbook = openpyxl.load_workbook(SAMPLES / "liaocheng_bjb_2024.xlsx")
    del workbook["上年数"], workbook["其他公开事项"]
    workbook.save(source)
    book = replay.remote_book(replay.payload_from_file(source, book_name=str(source)))
    assert xl.narrate(book) == tmp_path / "旧版-情况说明.docx"
    ((message, _mode),) = _alerts(book)
    assert "\n工作簿没有“上年数”“其他公开事项”表（旧版模板）：可用 juesuan template 生成新模板" in message
    assert re.search(r"\n有 \d+ 处【待填写】", message)


def test_narrate_refuses_an_unsaved_book_a_book_with_errors_and_a_python_without_the_narrate_extra(tmp_path, monkeypatch):
    book = replay.remote_book(replay.payload_from_file(SAMPLES / "liaocheng_bjb_2024.xlsx"))   # fullname: no folder
    assert xl.narrate(book) is None
    ((message, mode),) = _alerts(book)
    assert message == "工作簿还没有保存到本机文件夹（或在网盘上）：请先“另存为”到本机文件夹，再生成情况说明。"
    assert mode == "critical"
    source = tmp_path / "错.xlsx"
    shutil.copy(BROKEN / "total_typed_wrong.xlsx", source)
    book = replay.remote_book(replay.payload_from_file(source, book_name=str(source)))
    assert xl.narrate(book) is None
    ((message, mode),) = _alerts(book)
    assert message.startswith("审核发现 3 条错误，不能生成情况说明") and mode == "critical"
    assert message.endswith("请改正后再生成（点“审核”查看详情）。")
    monkeypatch.setitem(sys.modules, "docx", None)          # as on a PC where python-docx is not installed
    book = replay.remote_book(replay.payload_from_file(SAMPLES / "liaocheng_bjb_2024.xlsx", book_name=str(source)))
    assert xl.narrate(book) is None
    ((message, mode),) = _alerts(book)
    assert message.startswith("生成情况说明需要 python-docx，本机的 Python 还没有安装。") and mode == "critical"
    assert 'pip install "juesuan[narrate]"' in message and "离线安装包" in message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["错.xlsx"]


def test_a_book_that_is_not_standard_gets_a_chinese_message_and_no_writes(tmp_path):
    other = tmp_path / "工资表.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Sheet1"
    wb.active["A1"] = "姓名"
    wb.save(other)
    for entry in (xl.validate, xl.fill):
        book = replay.remote_book(replay.payload_from_file(other))
        assert entry(book) is None
        (alert,) = book.json()["actions"]
        assert alert["func"] == "alert" and alert["args"][3] == "critical"
        assert "不是决算公开标准工作簿" in alert["args"][0]


def test_an_unexpected_error_is_a_message_box_and_a_log_not_a_traceback(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile
    monkeypatch.setattr(tempfile, "tempdir", None)
    book = replay.remote_book(replay.payload_from_file(SAMPLES / "liaocheng_bjb_2024.xlsx"))
    assert xl.validate(book, catalog="not a catalog") is None      # a wrong argument breaks the audit
    (alert,) = book.json()["actions"]
    assert alert["args"][0].startswith("审核未完成：程序出错（") and alert["args"][3] == "critical"
    log = tmp_path / xl.LOG_NAME
    assert log.exists() and "Traceback" in log.read_text(encoding="utf-8")


def test_every_emitted_action_is_one_the_vba_client_implements():
    names = replay.vba_client_actions()
    assert {"setValues", "setRangeColor", "setNumberFormat", "addSheet", "rangeClear", "rangeClearContents",
            "addHyperlink", "activateSheet", "alert"} <= names
    assert not {"setColumnHidden", "setFontProperty", "save", "setColumnWidth"} & names
    wb = openpyxl.Workbook()
    with pytest.raises(ValueError, match="setColumnHidden"):
        replay.replay_actions(wb, [{"func": "setColumnHidden", "args": [True], "sheet_position": 0, "start_row": 0,
                                "start_column": 0, "row_count": 1, "column_count": 1}])


def test_replay_stores_text_as_excel_would():
    """Excel turns '1,234.00' typed into a General cell into a number: the review must format text first."""
    wb = openpyxl.Workbook()
    base = {"sheet_position": 0, "start_row": 0, "start_column": 0, "row_count": 1, "column_count": 2}
    replay.replay_actions(wb, [dict(base, func="setValues", args=[None], values=[["1,234.00", "公开01!B7"]])])
    assert wb.active["A1"].value == 1234.0 and wb.active["B1"].value == "公开01!B7"
    replay.replay_actions(wb, [dict(base, func="setNumberFormat", args=["@"]),
                           dict(base, func="setValues", args=[None], values=[["1,234.00", "-0.01"]])])
    assert wb.active["A1"].value == "1,234.00" and wb.active["B1"].value == "-0.01"


def test_the_comparison_sees_a_difference(tmp_path):
    cli, excel = cli_and_excel_copies(tmp_path, BROKEN / "total_typed_wrong.xlsx")
    save_review(check_book(cli, CATALOG), cli, when=WHEN)
    _a, _b, replayed = replay.run_through_excel_model(excel, xl.validate, WHEN, save=False)
    assert replay.compare_reviews(cli, replayed) == []
    from openpyxl.styles import PatternFill
    replayed["公开03"]["C6"].fill = PatternFill(fill_type=None)
    replayed[REVIEW_SHEET]["G6"] = "0.00"
    differences = replay.compare_reviews(cli, replayed)
    assert any("公开03!C6 fill" in d for d in differences)
    assert any(d.startswith(f"{REVIEW_SHEET} row 6") for d in differences)


def test_selftest_reports_ok_for_a_sample():
    out = StringIO()
    assert replay.selftest([SAMPLES / "liaocheng_bjb_2024.xlsx"], out=out)
    assert out.getvalue().startswith("OK  liaocheng_bjb_2024.xlsx")


@settings(max_examples=60, deadline=None)
@given(st.sets(st.tuples(st.integers(1, 12), st.integers(1, 8)), min_size=1, max_size=40))
def test_rectangles_cover_exactly_the_cells_once(cells):
    rects = live.rectangles(cells)
    covered = [(r, c) for r1, c1, r2, c2 in rects for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]
    assert sorted(covered) == sorted(cells)
    assert len(rects) <= len(cells)


def test_fill_texts_round_trip_through_registry_colours():
    assert live.fill_hex("") is None
    assert live.fill_hex(live.fill_text("#E7E6E6")) == "#E7E6E6"
    assert live.fill_text(None) == ""


def test_fill_through_xlwings_inserts_the_missing_kuan_like_cli_fill(tmp_path):
    """item_without_kuan: 公开03 lost the 款 20105 统计信息事务 above its 项 2010599
    (samples/broken/README.md); the button inserts it as `juesuan fill` does, instead of E08."""
    cli, excel = cli_and_excel_copies(tmp_path, BROKEN / "item_without_kuan.xlsx")
    _filled, result = fill_book(cli, CATALOG, when=WHEN)
    assert [(i.table, i.code) for i in result.inserted] == [("公开03", "20105")]
    actions, alerts, replayed = replay.run_through_excel_model(excel, xl.fill, WHEN, save=False)
    assert [a["func"] for a in actions].count("rangeInsert") == 1
    assert replay.compare_reviews(cli, replayed) == []
    row = result.inserted[0].row
    assert (replayed["公开03"][f"A{row}"].value, replayed["公开03"][f"B{row}"].value) == ("20105", "统计信息事务")
    assert "插入了 1 行缺少的类/款" in alerts[-1][0]
    assert "E08" not in [c.value for c in replayed[REVIEW_SHEET]["C"]]


def test_a_hidden_standard_sheet_is_an_error_in_excel_as_in_the_cli(tmp_path):
    """A hidden 公开05 is reviewed while the clerk cannot see it: E19, from the button too."""
    cli, excel = cli_and_excel_copies(tmp_path, SAMPLES / "liaocheng_bjb_2024.xlsx")
    for path in (cli, excel):
        wb = openpyxl.load_workbook(path)
        wb["公开05"].sheet_state = "hidden"
        wb.save(path)
    save_review(check_book(cli, CATALOG), cli, when=WHEN)
    _actions, alerts, replayed = replay.run_through_excel_model(excel, xl.validate, WHEN, save=False, visibility=True)
    assert replay.compare_reviews(cli, replayed) == []
    assert "E19" in [c.value for c in replayed[REVIEW_SHEET]["C"]]
    assert alerts[-1][3] == "critical"


def test_fill_sets_the_print_areas_cli_fill_sets_where_the_client_can(tmp_path):
    """xlwings' PageSetup.print_area: an Office.js client replays setPrintArea; the VBA client has
    no such action (Remote.bas), so through it the print area is left as it was."""
    cli = tmp_path / "cli.xlsx"
    shutil.copy(SAMPLES / "broken" / "item_without_kuan.xlsx", cli)
    fill_book(cli, CATALOG, when=WHEN)
    filled = openpyxl.load_workbook(cli)
    expected = {ws.title: ws.print_area.rpartition("!")[2].replace("$", "")
                for ws in filled.worksheets if ws.print_area}
    assert expected["公开03"] == "A1:H26"                 # one row more: the inserted 款
    payload = replay.payload_from_file(SAMPLES / "broken" / "item_without_kuan.xlsx", visibility=True)
    payload["client"] = "Office.js"
    book = replay.remote_book(payload)
    xl.fill(book, when=WHEN)
    names = filled.sheetnames
    areas = {names[a["sheet_position"]]: a["args"][0] for a in book.json()["actions"] if a["func"] == "setPrintArea"}
    assert areas == expected
    vba = replay.remote_book(replay.payload_from_file(SAMPLES / "broken" / "item_without_kuan.xlsx"))
    xl.fill(vba, when=WHEN)
    assert "setPrintArea" not in {a["func"] for a in vba.json()["actions"]}
