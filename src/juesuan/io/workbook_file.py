"""Workbook files this tool saves: the clerk's own book, edited in place or into a copy, and
books it makes from scratch (template, publication, batch summary).

Only cells we own change in a clerk's book: 审核结果, our highlight fills (with the
original fill remembered so the next run restores it), and derived cells when filling.
On top of the guarantees of the atomic writer (atomic.py), an ``EditableBook``:

* is loaded from a checked snapshot of the file (safety.py), and refused when the
  file changed since the version that was checked (``expect_stamp``);
* is never written over itself when it holds content openpyxl cannot write back
  (charts, pictures, pivot tables, slicers, external links, form controls…): the
  clerk is told to write a copy with ``-o`` instead;
* is not written over a file someone else saved while we were writing;
* keeps its VBA project (.xlsm), every part of the package that a kept
  relationship points to even when openpyxl dropped it (package_parts.py: the
  form buttons' drawing of standard.xlsm), and the formula results the file
  carried, except those a written cell may have changed (formula_cache.py);
* counts as a macro workbook when its package holds a VBA project, whatever its
  name says: an .xlsx renamed .xlsm may be saved as .xlsx.

Every workbook is verified as a complete zip before it replaces anything.
"""
from __future__ import annotations

import os
import re
import zipfile
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

import openpyxl
from openpyxl.cell.cell import MergedCell

from ..domain.errors import UnusableWorkbook, WriteRefused
from ..views.styles import AMOUNT_FORMAT
from .atomic import real_target, write_atomically
from .formula_cache import restore_formula_results
from .package_parts import carry_dropped_parts
from .review_xlsx import shift_registry
from .safety import check_bytes, content_openpyxl_drops, file_stamp, take_snapshot
from .sheet_rows import formula_cells, insert_row, insertion_blockers, names_blocking, shift_formulas
from .sheet_xml import sheet_parts

VBA_PROJECT = "xl/vbaProject.bin"


def unsupported_content(path) -> list[str]:
    """What a copy written by this tool would lack (Chinese labels); [] when nothing."""
    try:
        snapshot = take_snapshot(path)
        package = check_bytes(snapshot.data, Path(path).suffix, str(path))
    except UnusableWorkbook:
        return []
    return content_openpyxl_drops(package.names) + package.extensions


_CELL_REFERENCE = re.compile(rb'<c\b[^>]*?\br="([A-Za-z]{1,3}[0-9]{1,7})"')


def cells_named_twice(data: bytes, inflated: dict | None = None) -> list[str]:
    """Chinese labels of the sheets of package `data` that name a cell twice (no spreadsheet program
    writes that; LibreOffice and the readers keep the value, openpyxl keeps the later cell, even an
    empty one, so a workbook saved through it would lose a figure the check read). `inflated`:
    members the safety checks inflated already (Package.members)."""
    found = []
    inflated = inflated or {}
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            for name, member in sheet_parts(archive).items():
                try:
                    xml = inflated.get(member)
                    references = _CELL_REFERENCE.findall(xml if xml is not None else archive.read(member))
                except KeyError:
                    continue
                if len(set(map(bytes.upper, references))) < len(references):
                    found.append(f"工作表“{name}”中有单元格在文件里出现了两次")
    except (zipfile.BadZipFile, KeyError, ValueError):   # (openpyxl loaded it: its parts are readable)
        return found
    return found


def _has_macros(workbook) -> bool:
    """A VBA project in the package (openpyxl keeps a macro-enabled package without one, too)."""
    archive = getattr(workbook, "vba_archive", None)
    return archive is not None and VBA_PROJECT in archive.namelist()


def _refuse_wrong_suffix(workbook, target: Path) -> None:
    refuse_wrong_suffix(target, _has_macros(workbook), getattr(workbook, "vba_archive", None) is not None)


def refuse_wrong_suffix(target: Path, has_macros: bool = False, macro_enabled: bool = False) -> None:
    """Excel refuses a macro workbook named .xlsx and a plain one named .xlsm."""
    suffix = target.suffix.lower()
    if has_macros and suffix != ".xlsm":
        raise WriteRefused(f"{target}：工作簿含宏（VBA），只能保存为 .xlsm 文件，请把输出文件名改为以 .xlsm 结尾")
    if not macro_enabled and suffix == ".xlsm":
        raise WriteRefused(f"{target}：工作簿不含宏，应保存为 .xlsx 文件（以 .xlsm 结尾 Excel 会拒绝打开）")
    if suffix not in (".xlsx", ".xlsm"):
        raise WriteRefused(f"{target}：输出文件名应以 .xlsx 或 .xlsm 结尾")


def verify_zip(path: Path) -> None:
    """Complete and readable, or the save stops here."""
    with zipfile.ZipFile(path) as written:
        bad = written.testzip()
    if bad is not None:
        raise zipfile.BadZipFile(f"{bad} 校验失败")


def save_new_workbook(workbook, target) -> Path:
    """Save a workbook this tool made (nothing on disk to protect but the target); returns the path written."""
    target = real_target(target)
    _refuse_wrong_suffix(workbook, target)
    return write_atomically(target, workbook.save, verify=verify_zip)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


@dataclass(eq=False)
class EditableBook:
    """A clerk's workbook opened for writing back, with what saving it safely needs to know."""
    workbook: openpyxl.Workbook
    path: Path
    stamp: tuple                  # the file's version we loaded (after a save in place: the version we wrote)
    dropped: tuple[str, ...]      # Chinese labels of content openpyxl would not write back
    original: bytes               # the bytes loaded: formula results and dropped parts are taken back from them
    written: set[tuple[str, str]] = field(default_factory=set)   # (sheet, A1) of the cells whose value we changed

    @classmethod
    def open(cls, path, expect_stamp: tuple | None = None) -> EditableBook:
        """`expect_stamp`: the version that was checked; a file changed since then is refused,
        so a review never lands on other data."""
        path = Path(path)
        snapshot = take_snapshot(path)
        if expect_stamp is not None and snapshot.stamp != expect_stamp:
            raise WriteRefused(f"{path}：文件在审核之后又被修改过（可能刚在 Excel 中保存），为免写错未写入，请重新运行审核")
        package = check_bytes(snapshot.data, path.suffix, str(path), keep=True)
        macros = path.suffix.lower() == ".xlsm" or VBA_PROJECT in package.names
        try:
            workbook = openpyxl.load_workbook(snapshot.stream(), keep_vba=macros, keep_links=True)
        except Exception as exc:
            raise UnusableWorkbook(f"无法打开工作簿进行写入（{type(exc).__name__}）", str(path)) from None
        twice = cells_named_twice(snapshot.data, package.members)
        if twice:      # neither in place nor as a copy: either would hold other figures than the ones checked
            raise WriteRefused(f"{path}：{'、'.join(twice)}（Excel 不会这样保存），写入时只能保留其中一个，可能丢失数字，"
                               f"因此未做任何修改：请在 Excel 中打开该文件并另存后重试")
        dropped = tuple(content_openpyxl_drops(package.names) + package.extensions)
        return cls(workbook, path, snapshot.stamp, dropped, snapshot.data)

    def write_values(self, changes) -> list[tuple[str, str, str]]:
        """changes: [(sheet, A1, Decimal | None)] for derived cells. A cell inside a merged range
        (not its top-left) cannot hold a value: it is left alone and returned as (sheet, A1, range)."""
        merged_over = []
        for sheet, address, value in changes:
            ws = self.workbook[sheet]
            cell = ws[address]
            if isinstance(cell, MergedCell):
                merged = next(str(r) for r in ws.merged_cells.ranges if address in r)
                merged_over.append((sheet, address, merged))
                continue
            self.written.add((sheet, address))
            cell.value = value
            cell.number_format = AMOUNT_FORMAT
        return merged_over

    @property
    def insertion_blockers(self) -> list[str]:
        """What stops fill inserting missing 款/类 rows ("sheet!A1" of formulas, "名称 X" of defined
        names), see sheet_rows.insertion_blockers; [] when rows may be inserted. The marks, notes
        and fill record of 审核结果 do not stop it: they are kept by identity or moved along."""
        return insertion_blockers(self.original) + names_blocking(self.workbook)

    @property
    def can_insert_rows(self) -> bool:
        return not self.insertion_blockers

    def insert_code_rows(self, insertions) -> None:
        """insertions: rules.parents.Insertion (table, row, code, name), by table and ascending row:
        each becomes a sheet row at its row, code as text in A and name in B, styled like the row below.
        Formulas reading the rows that move, and the addresses 审核结果 keeps, move with them."""
        formulas = formula_cells(self.workbook) if insertions else []
        for ins in insertions:
            ws = self.workbook[ins.table]
            insert_row(ws, ins.row)
            shift_formulas(formulas, ins.table, ins.row)
            shift_registry(self.workbook, ins.table, ins.row)
            self.written = {(sheet, _moved_address(address, ins.row) if sheet == ins.table else address)
                            for sheet, address in self.written}
            ws.cell(row=ins.row, column=1, value=ins.code).number_format = "@"
            ws.cell(row=ins.row, column=2, value=ins.name)
            self.written.update({(ins.table, f"A{ins.row}"), (ins.table, f"B{ins.row}")})

    def save(self, target=None) -> Path:
        """Save over the file it came from (default) or to `target`; returns the path written."""
        target = real_target(target or self.path)
        in_place = target.exists() and _same_file(self.path, target)
        if in_place and self.dropped:
            raise WriteRefused(
                f"{target}：工作簿中含有本工具无法原样保存的内容（{'、'.join(self.dropped)}），直接写入会丢失这些内容，"
                f"因此未做任何修改。请用 -o 把结果写到一份副本（如 -o 副本.xlsx）；副本由本工具重新生成，其中不含上述内容，原文件保持不变")
        if target.suffix.lower() == ".xlsx" and not _has_macros(self.workbook):
            self.workbook.vba_archive = None    # a macro-enabled package without macros: the copy is a plain one
        _refuse_wrong_suffix(self.workbook, target)

        def write(temp: Path) -> None:
            self.workbook.save(temp)
            _put_back_from_original(temp, self.original, self.written)

        written = write_atomically(target, write, verify=verify_zip,
                                   unchanged_since=self.stamp if in_place else None)
        if in_place:
            self.stamp = file_stamp(written)
        return written


def _moved_address(address: str, at: int) -> str:
    """An A1 address after a row was inserted at `at` of its sheet."""
    column = address.rstrip("0123456789")
    row = int(address[len(column):])
    return f"{column}{row + 1 if row >= at else row}"


def _put_back_from_original(saved: Path, original: bytes, written: set[tuple[str, str]]) -> None:
    """Rewrite the package openpyxl saved at `saved` with what it lost of `original`: parts a kept
    relationship points to, and formula results that still hold."""
    with zipfile.ZipFile(saved) as archive:
        infos = {info.filename: info for info in archive.infolist()}
        members = {name: archive.read(info) for name, info in infos.items()}
        sheets = sheet_parts(archive)
    carried = carry_dropped_parts(members, original)
    restored = restore_formula_results(members, sheets, original, written)
    if not carried and not restored:
        return
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in members.items():
            out.writestr(infos.get(name, name), data, compress_type=zipfile.ZIP_DEFLATED)
    saved.write_bytes(buffer.getvalue())
