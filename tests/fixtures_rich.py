"""Builders of hostile, broken and rich workbook files for the safety tests.

Everything is made from the real samples or written byte by byte here: a zip
writer that can lie about sizes, an OLE compound file writer, a macro-enabled
workbook with a real vbaProject.bin, a workbook dressed with every kind of
formatting a clerk's file carries.
"""
from __future__ import annotations

import hashlib
import io
import shutil
import struct
import zipfile
import zlib
from pathlib import Path

import openpyxl
from conftest import sample_path

BASE = "jinan_lixia_2023"


def sha256(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def members_of(path) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(path) as archive:
        return [(info.filename, archive.read(info)) for info in archive.infolist()]


def rezip(source, target, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None) -> Path:
    """A copy of a package with members replaced or added (written by zipfile: sizes are honest)."""
    replace, add = replace or {}, add or {}
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in members_of(source):
            out.writestr(name, replace.get(name, data))
        for name, data in add.items():
            out.writestr(name, data)
    return Path(target)


def sheet_part(path, sheet: str) -> str:
    """The zip member holding a sheet (openpyxl-written packages: sheetN in workbook order)."""
    wb = openpyxl.load_workbook(path, read_only=True)
    index = wb.sheetnames.index(sheet) + 1
    wb.close()
    return f"xl/worksheets/sheet{index}.xml"


# --- a zip writer that says what it is told -------------------------------------------------
def raw_zip(entries) -> bytes:
    """entries: (name, payload, method, crc, declared_compressed, declared_size).

    payload is written as is (already deflated for method 8); the header fields
    are whatever the caller declares, true or not."""
    out = io.BytesIO()
    central = []
    for name, payload, method, crc, csize, usize in entries:
        offset = out.tell()
        encoded = name.encode("utf-8")
        out.write(struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0x800, method, 0, 0x21, crc, csize, usize,
                              len(encoded), 0))
        out.write(encoded)
        out.write(payload)
        central.append(struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0x800, method, 0, 0x21, crc,
                                   csize, usize, len(encoded), 0, 0, 0, 0, 0, offset) + encoded)
    start = out.tell()
    for record in central:
        out.write(record)
    size = out.tell() - start
    out.write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(central), len(central), size, start, 0))
    return out.getvalue()


def deflated(data: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush()


def honest_entry(name: str, data: bytes):
    payload = deflated(data)
    return (name, payload, 8, zlib.crc32(data), len(payload), len(data))


_BOMB_CACHE: dict = {}


def bomb_stream(gib: int = 2) -> tuple[bytes, int, int]:
    """(raw deflate stream, crc, size) of a worksheet that inflates to `gib` GiB of XML:
    one deflated MiB of blanks repeated, each copy after a full flush so it stands alone."""
    if gib in _BOMB_CACHE:
        return _BOMB_CACHE[gib]
    head = (b'<?xml version="1.0" encoding="UTF-8"?>'
            b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
    tail = b"</sheetData></worksheet>"
    blank = b" " * 2**20
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = packer.compress(head) + packer.flush(zlib.Z_FULL_FLUSH)
    segment = packer.compress(blank) + packer.flush(zlib.Z_FULL_FLUSH)
    last = packer.compress(tail) + packer.flush(zlib.Z_FINISH)
    count = gib * 1024
    stream = first + segment * count + last
    crc = zlib.crc32(head)
    for _ in range(count):
        crc = zlib.crc32(blank, crc)
    crc = zlib.crc32(tail, crc)
    size = len(head) + count * len(blank) + len(tail)
    _BOMB_CACHE[gib] = (stream, crc, size)
    return _BOMB_CACHE[gib]


def zip_bomb(target, lie: bool, gib: int = 2) -> Path:
    """The base sample with 公开02's sheet replaced by a `gib` GiB bomb.

    lie=False: the sizes are declared honestly (refused before inflating);
    lie=True: the bomb declares the size and CRC of the sheet it replaced."""
    source = sample_path(BASE)
    victim = sheet_part(source, "公开02")
    stream, crc, size = bomb_stream(gib)
    entries = []
    for name, data in members_of(source):
        if name != victim:
            entries.append(honest_entry(name, data))
        elif lie:
            entries.append((name, stream, 8, zlib.crc32(data), len(deflated(data)), len(data)))
        else:
            entries.append((name, stream, 8, crc, len(stream), size))
    Path(target).write_bytes(raw_zip(entries))
    return Path(target)


# --- OLE compound files ----------------------------------------------------------------------
def cfb(streams: dict[str, bytes]) -> bytes:
    """A minimal compound file (version 3, 512-byte sectors) holding `streams`.

    Every stream is padded to at least 4096 bytes so it lives in ordinary sectors
    (no mini stream). Directory: root, then the streams as a chain of right siblings."""
    sector = 512
    free, end_chain, fat_sect = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    items = [(name, data if len(data) >= 4096 else data + b"\0" * (4096 - len(data))) for name, data in streams.items()]
    entries = 1 + len(items)
    dir_sectors = -(-entries * 128 // sector)
    data_sectors = [-(-len(d) // sector) for _, d in items]
    total = dir_sectors + sum(data_sectors)
    fat_sectors = 1
    while (total + fat_sectors) > fat_sectors * 128:
        fat_sectors += 1
    fat = [fat_sect] * fat_sectors
    first_dir = len(fat)
    fat += [first_dir + i + 1 for i in range(dir_sectors - 1)] + [end_chain]
    starts = []
    for count in data_sectors:
        start = len(fat)
        starts.append(start)
        fat += [start + i + 1 for i in range(count - 1)] + [end_chain]
    fat += [free] * (fat_sectors * 128 - len(fat))
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIII", header, 40, 0, fat_sectors, first_dir, 0, 4096, end_chain, 0, end_chain)
    struct.pack_into("<I", header, 72, 0)            # no DIFAT sectors
    difat = list(range(fat_sectors)) + [free] * (109 - fat_sectors)
    struct.pack_into("<109I", header, 76, *difat)

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\0\0"
        record = bytearray(128)
        record[0:len(raw)] = raw
        struct.pack_into("<HBBIII", record, 64, len(raw), kind, 1, 0xFFFFFFFF, right, child)
        struct.pack_into("<II", record, 116, start, size)
        return bytes(record)

    directory = entry("Root Entry", 5, 1 if items else 0xFFFFFFFF, 0xFFFFFFFF, end_chain, 0)
    for i, ((name, data), start) in enumerate(zip(items, starts), start=1):
        directory += entry(name, 2, 0xFFFFFFFF, i + 1 if i < len(items) else 0xFFFFFFFF, start, len(data))
    directory += b"\0" * (dir_sectors * sector - len(directory))
    body = b"".join(struct.pack("<128I", *fat[i * 128:(i + 1) * 128]) for i in range(fat_sectors))
    body += directory
    for (_, data), count in zip(items, data_sectors):
        body += data + b"\0" * (count * sector - len(data))
    return bytes(header) + body


def legacy_xls(target) -> Path:
    """An Excel 97-2003 style compound file: a 'Workbook' stream, no encryption."""
    bof = struct.pack("<HHHHII", 0x0809, 16, 0x0600, 0x0005, 0, 0)   # a BIFF8 BOF record to open with
    Path(target).write_bytes(cfb({"Workbook": bof + b"\0" * 6000, "\x05SummaryInformation": b"\0" * 4096}))
    return Path(target)


def hand_encrypted(target) -> Path:
    """The shape Office gives a password-protected .xlsx: EncryptionInfo + EncryptedPackage."""
    info = struct.pack("<HHI", 4, 4, 0x40) + b"<?xml version=\"1.0\"?><encryption/>"
    Path(target).write_bytes(cfb({"EncryptionInfo": info, "EncryptedPackage": struct.pack("<Q", 40000) + b"\x5a" * 8000}))
    return Path(target)


def office_encrypted(source, target, password: str = "secret") -> Path:
    """A real password-protected workbook (ECMA-376 agile encryption) via msoffcrypto-tool."""
    from msoffcrypto.format.ooxml import OOXMLFile
    with open(source, "rb") as plain, open(target, "wb") as out:
        OOXMLFile(plain).encrypt(password, out)
    return Path(target)


# --- XML attacks -----------------------------------------------------------------------------
BILLION_LAUGHS = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                  b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                             for i in range(1, 10))
                  + b"]>\n")


def xml_attack(target, kind: str) -> Path:
    """kind 'laughs': the shared workbook part opens with a billion-laughs DTD;
    kind 'external': a sheet pulls /etc/passwd through an external entity."""
    source = sample_path(BASE)
    if kind == "laughs":
        with zipfile.ZipFile(source) as archive:
            body = archive.read("xl/workbook.xml")
        body = body.split(b"?>", 1)[1] if body.startswith(b"<?xml") else body
        return rezip(source, target, {"xl/workbook.xml": BILLION_LAUGHS + body.replace(b"<workbook ", b"<workbook a='&lol9;' ", 1)})
    part = sheet_part(source, "单位信息")
    with zipfile.ZipFile(source) as archive:
        body = archive.read(part)
    body = body.split(b"?>", 1)[1] if body.startswith(b"<?xml") else body
    doctype = b'<?xml version="1.0"?>\n<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    body = body.replace(b"<sheetData>", b"<sheetData><row r=\"99\"><c r=\"A99\" t=\"inlineStr\"><is><t>&xxe;</t></is></c></row>", 1)
    return rezip(source, target, {part: doctype + body})


# --- other broken files ------------------------------------------------------------------------
def corrupt_member(target) -> Path:
    """A complete zip whose 公开01 sheet has damaged compressed bytes (structure intact)."""
    source = sample_path(BASE)
    victim = sheet_part(source, "公开01")
    entries = []
    for name, data in members_of(source):
        name, payload, method, crc, csize, usize = honest_entry(name, data)
        if name == victim:
            middle = len(payload) // 2
            payload = payload[:middle] + bytes(b ^ 0xA5 for b in payload[middle:middle + 64]) + payload[middle + 64:]
        entries.append((name, payload, method, crc, csize, usize))
    Path(target).write_bytes(raw_zip(entries))
    return Path(target)


def garbage_layout(target) -> Path:
    """All the right sheet names, none of the right layout."""
    wb = openpyxl.Workbook()
    wb.active.title = "单位信息"
    for name in [f"公开{n:02d}" for n in range(1, 10)] + ["审核结果"]:
        ws = wb.create_sheet(name)
        for r in range(1, 30):
            for c in range(1, 8):
                ws.cell(row=r, column=c, value=f"杂{r}-{c}" if (r * c) % 3 else r * c)
    wb.save(target)
    return Path(target)


# --- content openpyxl would drop -----------------------------------------------------------------
def with_chart(target) -> Path:
    from openpyxl.chart import BarChart, Reference
    wb = openpyxl.load_workbook(sample_path(BASE))
    ws = wb["公开09"]
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=1, max_col=6, min_row=7, max_row=7))
    ws.add_chart(chart, "A12")
    wb.save(target)
    return Path(target)


DROPPED_PARTS = {
    "图片、形状或绘图": {"xl/drawings/drawing1.xml": b"<xdr:wsDr xmlns:xdr='x'/>", "xl/media/image1.png": b"\x89PNG\r\n"},
    "数据透视表": {"xl/pivotTables/pivotTable1.xml": b"<pivotTableDefinition/>",
                "xl/pivotCache/pivotCacheDefinition1.xml": b"<pivotCacheDefinition/>"},
    "切片器或日程表": {"xl/slicers/slicer1.xml": b"<slicers/>", "xl/slicerCaches/slicerCache1.xml": b"<slicerCacheDefinition/>"},
    "外部链接（引用其他工作簿）": {"xl/externalLinks/externalLink1.xml": b"<externalLink/>"},
    "表单控件或 ActiveX 控件": {"xl/ctrlProps/ctrlProp1.xml": b"<formControlPr/>"},
}


def with_parts(target, parts: dict[str, bytes]) -> Path:
    return rezip(sample_path(BASE), target, add=parts)


# --- macro-enabled and rich workbooks ---------------------------------------------------------------
def vba_project() -> bytes:
    """A real vbaProject.bin: the one in xlwings' quickstart workbook (a test dependency)."""
    import xlwings
    for name in ("quickstart.xlsm", "quickstart_standalone.xlsm"):
        candidate = Path(xlwings.__file__).parent / name
        if candidate.exists():
            with zipfile.ZipFile(candidate) as archive:
                return archive.read("xl/vbaProject.bin")
    raise FileNotFoundError("xlwings quickstart workbook not found")


def make_macro_enabled(xlsx, xlsm) -> Path:
    """Turn an .xlsx package into an .xlsm with a VBA project, as Excel lays it out."""
    with zipfile.ZipFile(xlsx) as archive:
        types = archive.read("[Content_Types].xml")
        rels = archive.read("xl/_rels/workbook.xml.rels")
    types = types.replace(b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                          b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
    types = types.replace(b"</Types>", b'<Override PartName="/xl/vbaProject.bin" '
                                       b'ContentType="application/vnd.ms-office.vbaProject"/></Types>')
    rels = rels.replace(b"</Relationships>", b'<Relationship Id="rIdVba" '
                                             b'Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" '
                                             b'Target="vbaProject.bin"/></Relationships>')
    return rezip(xlsx, xlsm, {"[Content_Types].xml": types, "xl/_rels/workbook.xml.rels": rels},
                 add={"xl/vbaProject.bin": vba_project()})


def rich_workbook(folder, macro: bool = True) -> Path:
    """A real sample dressed as clerks dress theirs: fonts, fills (pattern, theme, gradient),
    borders, number formats, merged cells, comments, defined names, data validation,
    conditional formats, hyperlinks, a hidden sheet, widths and heights, print setup,
    and (macro=True) a VBA project."""
    from openpyxl.comments import Comment
    from openpyxl.formatting.rule import CellIsRule, ColorScaleRule
    from openpyxl.styles import Alignment, Border, Font, GradientFill, PatternFill, Side
    from openpyxl.styles.colors import Color
    from openpyxl.workbook.defined_name import DefinedName
    from openpyxl.worksheet.datavalidation import DataValidation

    folder = Path(folder)
    wb = openpyxl.load_workbook(sample_path(BASE))
    info = wb["单位信息"]
    info["C3"].comment = Comment("请填写全称，与公章一致", "财务科")
    t01 = wb["公开01"]
    t01["A1"].font = Font(name="黑体", size=18, bold=True, color="C00000")
    t01["C6"].fill = PatternFill("solid", fgColor=Color(theme=4, tint=0.6))
    t01["C6"].comment = Comment("含上年结转", "张三")
    t01["C7"].fill = GradientFill(stop=("FFFFFF", "4472C4"))
    t01["C8"].border = Border(left=Side("double", color="FF0000"), bottom=Side("thick"))
    t01["C9"].number_format = '#,##0.00_);[Red](#,##0.00)'
    t01["D10"].alignment = Alignment(horizontal="center", vertical="top", wrap_text=True, indent=1)
    t01["C32"].fill = PatternFill("solid", fgColor=Color(theme=5, tint=-0.25))      # a cell the review marks
    wb["公开02"]["B10"].fill = GradientFill(stop=("FFF2CC", "F4B183"))              # marked too (E06)
    wb["公开02"]["B10"].comment = Comment("名称按部门口径填写", "王五")
    t01.column_dimensions["H"].width = 33
    t01.row_dimensions[40].height = 28
    t01.conditional_formatting.add("C6:C30", CellIsRule(operator="lessThan", formula=["0"], fill=PatternFill("solid", fgColor="FFC7CE")))
    t01.print_area = "A1:F40"
    t02 = wb["公开02"]
    t02.conditional_formatting.add("C7:C20", ColorScaleRule(start_type="min", start_color="FFFFFF", end_type="max", end_color="63BE7B"))
    t02["J7"].hyperlink = "https://www.mof.gov.cn/"
    t02["J7"].value = "财政部"
    extra = wb.create_sheet("填报说明")
    extra.merge_cells("A1:E1")
    extra["A1"] = "填报说明（本表由财务科维护）"
    extra["A3"], extra["B3"] = "审核人", "李四"
    extra["A4"], extra["B4"] = "审核日期", "2024-03-01"
    extra.merge_cells("B6:D8")
    extra["B6"] = "合并的说明区域"
    dv = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
    dv.add("B10")
    extra.add_data_validation(dv)
    extra["B10"] = "是"
    extra["A12"] = 1234.5
    extra["A12"].number_format = "0.00%"
    extra.freeze_panes = "A3"
    hidden = wb.create_sheet("内部底稿")
    hidden["A1"] = "不公开的底稿"
    hidden.sheet_state = "hidden"
    wb.defined_names["决算年度"] = DefinedName("决算年度", attr_text="单位信息!$B$4")
    t01.defined_names["收入合计"] = DefinedName("收入合计", attr_text="公开01!$C$16")
    wb.calculation.fullCalcOnLoad = True
    results = {}
    for sheet, address, formula in FORMULAS:      # formulas as a spreadsheet saves them: with their results
        cell = wb[sheet][address]
        results[(sheet, address)] = _result_of(cell.value)
        cell.value = formula
    for sheet, address, formula, result in TEXT_FORMULAS:
        wb[sheet][address].value = formula
        results[(sheet, address)] = result
    plain = folder / "rich.xlsx"
    wb.save(plain)
    with_results(plain, results)
    if not macro:
        return plain
    return make_macro_enabled(plain, folder / "rich.xlsm")


# amount cells that become formulas (their value kept as the cached result), and other result types
FORMULAS = [("公开01", "C16", "=SUM(C6:C15)"), ("公开01", "F32", "=SUM(F6:F31)"), ("公开02", "C6", "=SUM(C7:C9)"),
            ("公开04", "C7", "=C6*1")]
TEXT_FORMULAS = [("填报说明", "C3", '=B3&"（已核）"', ("str", "李四（已核）")), ("填报说明", "C4", "=1>0", ("b", "1")),
                 ("填报说明", "C5", "=1/0", ("e", "#DIV/0!"))]


def _result_of(value):
    if value is None:
        return ("str", "")
    return (None, repr(float(value)) if isinstance(value, float) else str(value))


def with_results(path, results: dict) -> Path:
    """Give openpyxl-written formula cells the cached results a spreadsheet program stores."""
    import re
    wb = openpyxl.load_workbook(path, read_only=True)
    names = wb.sheetnames
    wb.close()
    replace = {}
    for (sheet, address), (kind, value) in results.items():
        part = f"xl/worksheets/sheet{names.index(sheet) + 1}.xml"
        xml = replace.get(part) or dict(members_of(path))[part]
        # openpyxl writes an empty value as <v/> or, when lxml is installed (python-docx needs it), <v></v>
        pattern = re.compile(rb'<c r="' + address.encode() + rb'"([^>]*)><f>(.*?)</f>(?:<v ?/>|<v></v>)</c>', re.S)
        typed = b' t="' + kind.encode() + b'"' if kind else b""
        xml, count = pattern.subn(lambda m: b'<c r="' + address.encode() + b'"' + m.group(1) + typed + b"><f>" + m.group(2)
                                  + b"</f><v>" + value.encode() + b"</v></c>", xml)
        assert count == 1, (sheet, address)
        replace[part] = xml
    temp = Path(path).with_suffix(".tmp")
    rezip(path, temp, replace)
    temp.replace(path)
    return Path(path)


def copy_sample(target, name: str = BASE) -> Path:
    shutil.copy(sample_path(name), target)
    return Path(target)
