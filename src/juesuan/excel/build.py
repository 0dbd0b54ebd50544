"""Build the Excel files that carry the buttons, on any OS: ``python -m juesuan.excel.build``.

    xlsx_templates/juesuan.xlam   add-in: ribbon tab 决算助手 (macros/customUI.xml), modules
                                  Juesuan + JuesuanRibbon + xlwings (add-in variant) + Dictionary
    xlsx_templates/standard.xlsm  the standard workbook (io.template_xlsx.build_workbook) with the
                                  buttons 审核/填充计算/生成公开表/生成情况说明/清除标记 on 单位信息; modules
                                  Juesuan + xlwings (standalone variant) + Dictionary

How: the VBA project is written by pyOpenVBA, which stores each module as source
(MS-OVBA compressed) with no compiled p-code, so Excel compiles the source on first
open. The add-in starts from pyOpenVBA's blank .xlam (authored by Excel); the
workbook gets the project Excel itself would add to it. The ribbon part and the
VML form-control buttons are written here, in the form XlsxWriter writes them.
The xlwings modules come from the installed xlwings, which must be the version the
VBA expects (XLWINGS_VERSION). Output is byte-for-byte reproducible.
"""
from __future__ import annotations

import argparse
import io
import re
import sys
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape

from ..domain.catalog import load_catalog
from ..domain.schema import INFO_SHEET
from ..io.template_xlsx import build_workbook
from .version import XLWINGS_VERSION

ROOT = Path(__file__).resolve().parents[3]           # the checkout: src/juesuan/excel/build.py
MACROS = ROOT / "macros"
OUTPUT = ROOT / "xlsx_templates"
ADDIN_NAME = "juesuan.xlam"
WORKBOOK_NAME = "standard.xlsm"
FIXED_TIME = "2024-01-01T00:00:00Z"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)

#: (caption, macro) of the buttons on 单位信息, top to bottom.
BUTTONS = (("审核", "JuesuanValidate"), ("填充计算", "JuesuanFill"), ("生成公开表", "JuesuanPublish"),
           ("生成情况说明", "JuesuanNarrate"), ("清除标记", "JuesuanClearMarks"))
ADDIN_MODULES = ("Juesuan", "JuesuanRibbon")
WORKBOOK_MODULES = ("Juesuan",)

RIBBON_REL = "http://schemas.microsoft.com/office/2006/relationships/ui/extensibility"
VML_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/vmlDrawing"
VML_TYPE = "application/vnd.openxmlformats-officedocument.vmlDrawing"
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
XLSM_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


class BuildError(RuntimeError):
    pass


# --- sources ---------------------------------------------------------------------------
def crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def macro_source(name: str) -> str:
    path = MACROS / f"{name}.bas"
    if not path.exists():
        raise BuildError(f"{path} not found: build from a checkout of the repository")
    data = path.read_bytes()
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        raise BuildError(f"{path} is not ASCII: spell Chinese text with ChrW") from None
    return crlf(text)


def xlwings_sources(addin: bool) -> dict[str, str]:
    """The xlwings VBA of the pinned release: RunPython and its helpers, and the Dictionary class (macOS)."""
    import xlwings  # build-time only, like pyopenvba and oletools below: the [test] extra, not a runtime need
    if xlwings.__version__ != XLWINGS_VERSION:
        raise BuildError(f"xlwings {xlwings.__version__} is installed, the VBA expects {XLWINGS_VERSION}: "
                         f"pip install xlwings=={XLWINGS_VERSION}")
    base = Path(xlwings.__file__).parent
    main = (base / ("xlwings_custom_addin.bas" if addin else "xlwings.bas")).read_text(encoding="latin-1")
    if addin:
        # The add-in reads its settings where xlwings does (xlwings.conf sheet, ~/.xlwings/xlwings.conf),
        # so `xlwings config create` configures it; the caller book is the active workbook.
        line = 'Public Const PROJECT_NAME As String = "myaddin"'
        if line not in main:
            raise BuildError("xlwings_custom_addin.bas has no PROJECT_NAME line to set")
        main = main.replace(line, 'Public Const PROJECT_NAME As String = "xlwings"')
    if f'XLWINGS_VERSION As String = "{XLWINGS_VERSION}"' not in main:
        raise BuildError(f"the xlwings VBA module does not declare version {XLWINGS_VERSION}")
    dictionary = (base / "addin" / "Dictionary.cls").read_text(encoding="latin-1")
    return {"xlwings": crlf(main), "Dictionary": crlf(dictionary)}


def ribbon_xml() -> bytes:
    return (MACROS / "customUI.xml").read_bytes()


# --- zip packages ----------------------------------------------------------------------
def read_package(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def write_package(parts: dict[str, bytes], path: Path) -> None:
    """Deterministic zip: fixed timestamps, [Content_Types].xml first, the rest in the given order."""
    names = ["[Content_Types].xml"] + [n for n in parts if n != "[Content_Types].xml"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, parts[name])
    path.write_bytes(buffer.getvalue())


def _text(parts, name) -> str:
    return parts[name].decode("utf-8")


def set_core_properties(parts: dict[str, bytes], title: str, description: str) -> None:
    core = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{escape(title)}</dc:title><dc:creator>juesuan</dc:creator>"
        f"<dc:description>{escape(description)}</dc:description><cp:lastModifiedBy>juesuan</cp:lastModifiedBy>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{FIXED_TIME}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{FIXED_TIME}</dcterms:modified></cp:coreProperties>')
    parts["docProps/core.xml"] = core.encode("utf-8")


def add_relationship(rels: str, rel_type: str, target: str) -> tuple[str, str]:
    """(new rels text, id) with a relationship appended under the next free rId."""
    used = {int(n) for n in re.findall(r'Id="rId(\d+)"', rels)}
    rid = f"rId{max(used, default=0) + 1}"
    entry = f'<Relationship Id="{rid}" Type="{rel_type}" Target="{target}"/>'
    return rels.replace("</Relationships>", entry + "</Relationships>"), rid


def add_default_type(types: str, extension: str, content_type: str) -> str:
    if re.search(rf'<Default Extension="{extension}"', types):
        return types
    return re.sub(r"(<Types[^>]*>)", rf'\1<Default Extension="{extension}" ContentType="{content_type}"/>', types, 1)


def sheet_part(parts: dict[str, bytes], sheet_name: str) -> str:
    """Path of the worksheet part named `sheet_name`, through workbook.xml and its relationships."""
    workbook = _text(parts, "xl/workbook.xml")
    match = re.search(rf'<sheet [^>]*name="{re.escape(escape(sheet_name))}"[^>]*r:id="(rId\d+)"', workbook)
    if not match:
        raise BuildError(f"no sheet {sheet_name} in the workbook")
    rels = _text(parts, "xl/_rels/workbook.xml.rels")
    target = re.search(rf'<Relationship [^>]*Id="{match.group(1)}"[^>]*Target="([^"]+)"', rels) or \
        re.search(rf'<Relationship [^>]*Target="([^"]+)"[^>]*Id="{match.group(1)}"', rels)
    path = target.group(1).lstrip("/")
    return path if path.startswith("xl/") else "xl/" + path


# --- the buttons on 单位信息: VML form controls -----------------------------------------
def _column_pixels(chars: float) -> int:
    return int(((256 * chars + int(128 / 7)) / 256) * 7)


def buttons_vml(anchors: list[tuple[int, int, int, int]], left_pt: float, tops_pt: list[float]) -> str:
    shapes = []
    for index, ((caption, macro), (col, row, col_to, row_to), top) in enumerate(zip(BUTTONS, anchors, tops_pt)):
        shapes.append(
            f'<v:shape id="_x0000_s{1025 + index}" type="#_x0000_t201" style="position:absolute;'
            f'margin-left:{left_pt:.2f}pt;margin-top:{top:.2f}pt;width:96pt;height:27pt;z-index:{index + 1};'
            'mso-wrap-style:tight" o:button="t" fillcolor="buttonFace [67]" strokecolor="windowText [64]" '
            'o:insetmode="auto"><v:fill color2="buttonFace [67]" o:detectmouseclick="t"/>'
            '<o:lock v:ext="edit" rotation="t"/><v:textbox style="mso-direction-alt:auto" o:singleclick="f">'
            f'<div style="text-align:center"><font face="宋体" size="220" color="#000000">{escape(caption)}</font>'
            '</div></v:textbox><x:ClientData ObjectType="Button">'
            f"<x:Anchor>{col}, 8, {row}, 4, {col_to}, 8, {row_to}, 0</x:Anchor>"
            "<x:PrintObject>False</x:PrintObject><x:AutoFill>False</x:AutoFill>"
            f"<x:FmlaMacro>[0]!{macro}</x:FmlaMacro>"
            "<x:TextHAlign>Center</x:TextHAlign><x:TextVAlign>Center</x:TextVAlign></x:ClientData></v:shape>")
    return ('<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
            'xmlns:x="urn:schemas-microsoft-com:office:excel"><o:shapelayout v:ext="edit">'
            '<o:idmap v:ext="edit" data="1"/></o:shapelayout><v:shapetype id="_x0000_t201" '
            'coordsize="21600,21600" o:spt="201" path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/>'
            '<v:path shadowok="f" o:extrusionok="f" strokeok="f" fillok="f" o:connecttype="rect"/>'
            '<o:lock v:ext="edit" shapetype="t"/></v:shapetype>' + "".join(shapes) + "</xml>")


def add_buttons(parts: dict[str, bytes], sheet_name: str) -> None:
    """A form-control button per BUTTONS right of the 单位信息 table (column E), each running its macro."""
    part = sheet_part(parts, sheet_name)
    sheet = _text(parts, part)
    if "<legacyDrawing" in sheet:
        raise BuildError(f"{sheet_name} already has a legacy drawing")
    ws = build_workbook(load_catalog())[sheet_name]
    widths = [ws.column_dimensions[letter].width or 8.43 for letter in "ABCD"]
    left_pt = sum(_column_pixels(w) for w in widths) * 0.75 + 6
    height = lambda r: ws.row_dimensions[r].height or 15.0   # noqa: E731
    anchors, tops = [], []
    for index in range(len(BUTTONS)):
        row = 2 + 3 * index                                     # 0-based: rows 3-4, 6-7, 9-10, 12-13, 15-16
        anchors.append((4, row, 6, row + 2))
        tops.append(sum(height(r) for r in range(1, row + 1)) + 3)
    folder, name = part.rsplit("/", 1)
    rels_name = f"{folder}/_rels/{name}.rels"
    rels = _text(parts, rels_name) if rels_name in parts else \
        ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
         '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>')
    vml_name = "xl/drawings/vmlDrawingButtons1.vml"
    rels, rid = add_relationship(rels, VML_REL, "../drawings/vmlDrawingButtons1.vml")
    root = re.search(r"<worksheet\b[^>]*>", sheet).group()
    if "xmlns:r=" not in root:
        sheet = sheet.replace(root, root.replace("<worksheet", f'<worksheet xmlns:r="{R_NS}"', 1), 1)
    element = f'<legacyDrawing r:id="{rid}"/>'
    later = re.search(r"<(legacyDrawingHF|drawingHF|picture|oleObjects|controls|webPublishItems|tableParts|extLst)\b",
                      sheet)
    at = later.start() if later else sheet.rindex("</worksheet>")
    parts[part] = (sheet[:at] + element + sheet[at:]).encode("utf-8")
    parts[rels_name] = rels.encode("utf-8")
    parts[vml_name] = buttons_vml(anchors, left_pt, tops).encode("utf-8")
    parts["[Content_Types].xml"] = add_default_type(_text(parts, "[Content_Types].xml"), "vml", VML_TYPE).encode()


# --- builders --------------------------------------------------------------------------
def _add_modules(project, names, addin: bool) -> None:
    from pyopenvba import VBAModuleKind
    sources = xlwings_sources(addin)
    project.add_module("xlwings", sources["xlwings"])
    project.add_module("Dictionary", sources["Dictionary"], kind=VBAModuleKind.other)
    for name in names:
        project.add_module(name, macro_source(name))


def build_addin(target: Path) -> Path:
    """juesuan.xlam: pyOpenVBA's blank add-in, our modules, the ribbon, our title in the Add-ins dialog."""
    from pyopenvba import ExcelFile
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder) / ADDIN_NAME
        with ExcelFile.create_new(work) as book:
            project = book.vba_project()
            for name in list(book.module_names()):
                if name not in ("ThisWorkbook", "Sheet1"):
                    project.delete_module(name)
            _add_modules(project, ADDIN_MODULES, addin=True)
            book.save()
        parts = read_package(work)
    parts["customUI/customUI.xml"] = ribbon_xml()
    rels, _rid = add_relationship(_text(parts, "_rels/.rels"), RIBBON_REL, "customUI/customUI.xml")
    parts["_rels/.rels"] = rels.encode("utf-8")
    set_core_properties(parts, "决算助手", "部门决算公开九张表：审核、填充计算、生成公开表、生成情况说明、清除标记（需安装 Python 和 juesuan）")
    target.parent.mkdir(parents=True, exist_ok=True)
    write_package(parts, target)
    return target


def build_workbook_xlsm(target: Path) -> Path:
    """standard.xlsm: the standard workbook, its buttons on 单位信息, and the VBA project behind them."""
    from pyopenvba import ExcelFile
    with tempfile.TemporaryDirectory() as folder:
        plain = Path(folder) / "plain.xlsx"
        workbook = build_workbook(load_catalog())
        workbook.properties.created = workbook.properties.modified = datetime(2024, 1, 1)
        workbook.save(plain)
        parts = read_package(plain)
        types = _text(parts, "[Content_Types].xml")
        if XLSX_MAIN not in types:
            raise BuildError("unexpected workbook content type from openpyxl")
        parts["[Content_Types].xml"] = types.replace(XLSX_MAIN, XLSM_MAIN).encode("utf-8")
        add_buttons(parts, INFO_SHEET)
        set_core_properties(parts, "部门决算公开标准工作簿", "单位信息表上的按钮：审核、填充计算、生成公开表、生成情况说明、清除标记（需安装 Python 和 juesuan）")
        work = Path(folder) / WORKBOOK_NAME
        write_package(parts, work)
        with ExcelFile(work) as book:
            project = book.add_vba_project()
            _add_modules(project, WORKBOOK_MODULES, addin=False)
            book.save()
        parts = read_package(work)
    target.parent.mkdir(parents=True, exist_ok=True)
    write_package(parts, target)
    return target


def build(out: Path = OUTPUT) -> list[Path]:
    return [build_addin(out / ADDIN_NAME), build_workbook_xlsm(out / WORKBOOK_NAME)]


# --- reading back (tests, --check) -----------------------------------------------------
def modules_of(path) -> dict[str, str]:
    """Module name -> source, as oletools' olevba reads the file (attribute lines dropped, LF line ends)."""
    from oletools.olevba import VBA_Parser
    parser = VBA_Parser(str(path))
    try:
        out = {}
        for _container, _stream, filename, code in parser.extract_macros():
            name = filename.rsplit(".", 1)[0]
            text = code.decode("latin-1") if isinstance(code, bytes) else code
            out[name] = normalize_source(text)
        return out
    finally:
        parser.close()


def normalize_source(text: str) -> str:
    """Source as the VBA editor shows it, with LF line ends, for comparison: no Attribute lines,
    no VERSION/BEGIN..END preamble of an exported class file."""
    lines = crlf(text).split("\r\n")
    if lines and lines[0].startswith("VERSION ") and "END" in lines:
        lines = lines[lines.index("END") + 1:]
    kept = [line for line in lines if not line.startswith("Attribute VB_")]
    return "\n".join(kept).strip("\n") + "\n"


def expected_modules(addin: bool) -> dict[str, str]:
    names = ADDIN_MODULES if addin else WORKBOOK_MODULES
    sources = {name: macro_source(name) for name in names}
    sources.update(xlwings_sources(addin))
    return {name: normalize_source(text) for name, text in sources.items()}


def stale(out: Path = OUTPUT) -> list[str]:
    """What differs between the committed files and a fresh build (empty: up to date)."""
    problems = []
    with tempfile.TemporaryDirectory() as folder:
        fresh = build(Path(folder))
        for new in fresh:
            old = out / new.name
            if not old.exists():
                problems.append(f"{old} is missing")
            elif old.read_bytes() != new.read_bytes():
                problems.append(f"{old} differs from a fresh build")
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m juesuan.excel.build",
                                     description="Build xlsx_templates/juesuan.xlam and standard.xlsm from macros/.")
    parser.add_argument("--out", type=Path, default=OUTPUT, help="output folder (default: xlsx_templates/)")
    parser.add_argument("--check", action="store_true", help="only report whether the files are up to date")
    args = parser.parse_args(argv)
    try:
        if args.check:
            problems = stale(args.out)
            for line in problems:
                print(line)
            print("up to date" if not problems else "stale: run python -m juesuan.excel.build")
            return 1 if problems else 0
        for path in build(args.out):
            modules = sorted(modules_of(path))
            print(f"built {path} ({path.stat().st_size} bytes): modules {', '.join(modules)}")
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":   # pragma: no cover
    sys.exit(main())
