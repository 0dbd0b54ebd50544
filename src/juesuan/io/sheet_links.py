"""Hyperlinks added to a written workbook without holding them in memory.

openpyxl keeps every hyperlink of a sheet as an object and builds their relationships and
their XML at the end of the sheet, all at once: about 2 KB a file for the batch summary's two
links per workbook, 23 MiB more at 10,000 files. The summary instead notes each link in a
temporary file as its row is written (`SheetLinks`), and `add_links` copies the saved workbook
member by member, putting into each sheet the <hyperlinks> element openpyxl would have written
(at the same place, before <printOptions>) and beside it the sheet's relationships part, both
streamed from those notes.
"""
from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import IO, Iterator
from xml.sax.saxutils import quoteattr

_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_HYPERLINK = _REL_NS + "/hyperlink"
_PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_SHEET_PART = re.compile(r"xl/worksheets/sheet(\d+)\.xml")
# what follows <hyperlinks> in a worksheet (ECMA-376 order), the first one present is where it goes
_AFTER_LINKS = (b"<printOptions", b"<pageMargins", b"<pageSetup", b"<headerFooter", b"<rowBreaks",
                b"<colBreaks", b"<customProperties", b"<cellWatches", b"<ignoredErrors", b"<smartTags",
                b"<drawing", b"<legacyDrawing", b"<picture", b"<oleObjects", b"<controls", b"<webPublishItems",
                b"<tableParts", b"<extLst", b"</worksheet>")
_CHUNK = 1 << 16


class SheetLinks:
    """The links of one sheet, (cell, target) in the order the rows are written, kept on disk."""

    def __init__(self):
        self._file = tempfile.TemporaryFile("w+", encoding="utf-8", newline="\n")
        self.count = 0

    def add(self, cell: str, target: str) -> None:
        # (a target holds no tab or line break: summary_xlsx._link_target percent-encodes control characters)
        self._file.write(f"{cell}\t{target}\n")
        self.count += 1

    def __iter__(self) -> Iterator[tuple[str, str]]:
        self._file.seek(0)
        for line in self._file:
            cell, _, target = line.rstrip("\n").partition("\t")
            yield cell, target

    def close(self) -> None:
        self._file.close()


def add_links(source: Path, target: Path, links: list[SheetLinks]) -> None:
    """Write `source` (a workbook saved by openpyxl, its sheets without hyperlinks) to `target`
    with `links[i]` in sheet i + 1."""
    with zipfile.ZipFile(source) as package, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        names = set(package.namelist())
        for info in package.infolist():
            match = _SHEET_PART.fullmatch(info.filename)
            index = int(match.group(1)) - 1 if match else -1
            with package.open(info) as member, out.open(info.filename, "w") as copy:
                if 0 <= index < len(links) and links[index].count:
                    _with_hyperlinks(member, copy, links[index])
                else:
                    shutil.copyfileobj(member, copy, _CHUNK)
            if 0 <= index < len(links) and links[index].count:
                rels = f"xl/worksheets/_rels/sheet{index + 1}.xml.rels"
                if rels in names:
                    raise ValueError(f"{rels} exists already")     # (our summary's sheets have none)
                with out.open(rels, "w") as part:
                    _write_relationships(part, links[index])


def _with_hyperlinks(member: IO[bytes], copy: IO[bytes], links: SheetLinks) -> None:
    """The sheet XML with <hyperlinks> put before the first element that must follow it."""
    held = b""
    while True:
        chunk = member.read(_CHUNK)
        held += chunk
        at = min((i for i in (held.find(tag) for tag in _AFTER_LINKS) if i >= 0), default=-1)
        if at >= 0:
            copy.write(held[:at])
            _write_hyperlinks(copy, links)
            copy.write(held[at:])
            shutil.copyfileobj(member, copy, _CHUNK)
            return
        if not chunk:
            raise ValueError("worksheet without an end")
        keep = max(len(tag) for tag in _AFTER_LINKS)      # a tag may straddle two chunks
        copy.write(held[:-keep])
        held = held[-keep:]


def _write_hyperlinks(copy: IO[bytes], links: SheetLinks) -> None:
    copy.write(b"<hyperlinks>")
    for number, (cell, _target) in enumerate(links, start=1):
        copy.write(f'<hyperlink xmlns:r="{_REL_NS}" ref={quoteattr(cell)} r:id="rId{number}" />'.encode())
    copy.write(b"</hyperlinks>")


def _write_relationships(part: IO[bytes], links: SheetLinks) -> None:
    part.write(f'<Relationships xmlns="{_PACKAGE_RELS}">'.encode())
    for number, (_cell, target) in enumerate(links, start=1):
        part.write(f'<Relationship Type="{_HYPERLINK}" Target={quoteattr(target)} TargetMode="External" '
                   f'Id="rId{number}" />'.encode())
    part.write(b"</Relationships>")
