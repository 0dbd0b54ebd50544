"""Parts of the clerk's package that openpyxl dropped although the saved package still points to them.

openpyxl writes back only the parts it understands; with keep_vba it also copies
a few macro-related parts, by name (``vmlDrawing1.vml`` but not, say, the form
buttons' ``vmlDrawingButtons1.vml``). Yet it keeps some relationships to parts it
did not write, and a relationship whose target is missing makes Excel offer to
repair the file and drop what it pointed to. So after every save of a clerk's
workbook, each internal relationship of the saved package is resolved; a target
that is missing but was in the original package is copied over unchanged, with
its own relationships and its content type, until every target resolves.
"""
from __future__ import annotations

import posixpath
import zipfile
from io import BytesIO
from urllib.parse import unquote
from xml.sax.saxutils import quoteattr

from defusedxml.ElementTree import fromstring

CONTENT_TYPES = "[Content_Types].xml"


def rels_part_of(part: str) -> str:
    """The relationships part of `part`: xl/worksheets/sheet1.xml -> xl/worksheets/_rels/sheet1.xml.rels."""
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def internal_targets(rels_name: str, xml: bytes) -> list[str]:
    """Package part names the relationships part `rels_name` points to (external links left out)."""
    source_folder = posixpath.dirname(posixpath.dirname(rels_name))    # dir/_rels/x.rels belongs to dir/x
    targets = []
    for relationship in fromstring(xml):
        target = relationship.get("Target")
        if not target or relationship.get("TargetMode") == "External":
            continue
        target = unquote(target.split("#", 1)[0])
        if not target:
            continue
        resolved = target[1:] if target.startswith("/") else posixpath.join(source_folder, target)
        targets.append(posixpath.normpath(resolved))
    return targets


def _missing(members: dict[str, bytes]) -> set[str]:
    missing = set()
    for name, data in list(members.items()):
        if name.endswith(".rels"):
            missing.update(t for t in internal_targets(name, data) if t not in members)
    return missing


def _declare_types(types_xml: bytes, original_types: bytes, parts: list[str]) -> bytes:
    """Add to the saved [Content_Types].xml what the original declared for `parts`."""
    saved = fromstring(types_xml)
    declared_defaults = {e.get("Extension", "").lower() for e in saved if e.tag.endswith("}Default")}
    declared_overrides = {e.get("PartName", "").lower() for e in saved if e.tag.endswith("}Override")}
    original = fromstring(original_types)
    overrides = {e.get("PartName", "").lower(): e.get("ContentType", "") for e in original
                 if e.tag.endswith("}Override")}
    defaults = {e.get("Extension", "").lower(): e.get("ContentType", "") for e in original
                if e.tag.endswith("}Default")}
    added = []
    for part in parts:
        name = "/" + part
        extension = posixpath.splitext(part)[1].lstrip(".").lower()
        if name.lower() in overrides and name.lower() not in declared_overrides:
            added.append(f"<Override PartName={quoteattr(name)} ContentType={quoteattr(overrides[name.lower()])}/>")
            declared_overrides.add(name.lower())
        elif name.lower() not in overrides and extension in defaults and extension not in declared_defaults:
            added.append(f"<Default Extension={quoteattr(extension)} ContentType={quoteattr(defaults[extension])}/>")
            declared_defaults.add(extension)
    if not added:
        return types_xml
    end = types_xml.rindex(b"</")
    return types_xml[:end] + "".join(added).encode("utf-8") + types_xml[end:]


def carry_dropped_parts(members: dict[str, bytes], original: bytes) -> list[str]:
    """Copy into `members` (the saved package, part name -> bytes) every part of the `original`
    package that a relationship in it points to but that is missing; returns the parts copied."""
    carried: list[str] = []
    with zipfile.ZipFile(BytesIO(original)) as source:
        available = set(source.namelist())
        wanted = {t for t in _missing(members) if t in available}
        while wanted:
            for part in sorted(wanted):
                members[part] = source.read(part)
                carried.append(part)
                rels = rels_part_of(part)
                if rels in available and rels not in members:
                    members[rels] = source.read(rels)
            wanted = {t for t in _missing(members) if t in available}
        if carried and CONTENT_TYPES in members and CONTENT_TYPES in available:
            members[CONTENT_TYPES] = _declare_types(members[CONTENT_TYPES], source.read(CONTENT_TYPES), carried)
    return carried
