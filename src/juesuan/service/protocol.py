"""The service's JSON: a request's sheets into an OpenBook, an Outcome into the response.

Request (what the add-in reads from the open book, nothing else)::

    {"book": {"name": "单位.xlsx", "path": "C:\\\\...\\\\单位.xlsx"},     path: only 生成公开表 uses it
     "sheets": [{"name": "公开01", "values": [[...], ...], "hidden": null | "hidden" | "veryHidden",
                 "merged": ["C7:C8", ...]}, ...],                   merged: optional, the sheet's merged areas
     "fills": {"公开05!D9": "#FFC7CE" | null, ...}}                    optional, see below

Values are Range.Value2 of the used range from A1: text, numbers, booleans, null for empty.
The sheets come in book order; other sheets by name (values may be omitted).

A first 审核/填充计算 marks cells whose current fill the registry must remember so 清除标记 can
put it back; the service cannot see fills, so it answers ``{"ok": false, "need_fills": ["公开05!D9",
...]}`` and the add-in sends the request again with ``fills`` for those cells (few: cells already
in the registry are not asked for again).
"""
from __future__ import annotations

import math
import re
from typing import Any

from ..domain.layout import column_letter
from ..domain.schema import DATA_SHEETS, REVIEW_SHEET
from ..ops.open_book import OpenBook, Outcome
from ..rules.parse import HIDDEN, VERY_HIDDEN

MAX_SHEETS = 255
MAX_CELLS = 2_000_000
_HEX = set("0123456789abcdefABCDEF")
_RANGE = re.compile(r"\$?[A-Za-z]{1,3}\$?[0-9]{1,7}(:\$?[A-Za-z]{1,3}\$?[0-9]{1,7})?")


class BadRequest(Exception):
    """The request is not what the add-in sends; the message is Chinese and names the place."""


class NeedFills(Exception):
    def __init__(self, keys):
        super().__init__("need fills")
        self.keys = keys


def _scalar(value, sheet: str, row: int, col: int):
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise BadRequest(f"工作表“{sheet}”{column_letter(col)}{row} 的值不是有限数字")
        return value
    raise BadRequest(f"工作表“{sheet}”{column_letter(col)}{row} 的值类型无法识别（{type(value).__name__}）")


def _grid(sheet: str, values) -> list[tuple]:
    if values is None:
        return []
    if not isinstance(values, list) or not all(isinstance(row, list) for row in values):
        raise BadRequest(f"工作表“{sheet}”的 values 应为二维数组（按行排列的单元格值）")
    return [tuple(_scalar(v, sheet, r, c) for c, v in enumerate(row, start=1)) for r, row in enumerate(values, start=1)]


def _colour(value, key: str):
    if value is None:
        return None
    if isinstance(value, str) and len(value) == 7 and value[0] == "#" and set(value[1:]) <= _HEX:
        return value.upper()
    raise BadRequest(f"fills 中 {key} 的颜色应为 #RRGGBB 或 null")


def open_book(request: Any) -> OpenBook:
    """The request as an OpenBook; BadRequest (Chinese) for anything malformed."""
    if not isinstance(request, dict):
        raise BadRequest("请求内容应为 JSON 对象")
    book = request.get("book") or {}
    name = book.get("name") if isinstance(book, dict) else None
    if not isinstance(name, str) or not name:
        raise BadRequest("请求缺少工作簿名称（book.name）")
    sheets = request.get("sheets")
    if not isinstance(sheets, list) or not sheets or len(sheets) > MAX_SHEETS:
        raise BadRequest("请求缺少工作表（sheets），或工作表数量超出范围")
    parsed, cells, merged = [], 0, {}
    for item in sheets:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise BadRequest("每个工作表应为 {name, values}，name 为工作表名称")
        sheet = item["name"]
        wanted = sheet == REVIEW_SHEET or sheet in DATA_SHEETS
        values = _grid(sheet, item.get("values")) if wanted else []
        cells += sum(len(row) for row in values)
        if cells > MAX_CELLS:
            raise BadRequest(f"单元格数量超过 {MAX_CELLS} 个，不像决算公开工作簿")
        hidden = item.get("hidden")
        if hidden not in (None, HIDDEN, VERY_HIDDEN):
            raise BadRequest(f"工作表“{sheet}”的 hidden 应为 null、\"hidden\" 或 \"veryHidden\"")
        parsed.append((sheet, values, hidden))
        ranges = item.get("merged") or []
        if not isinstance(ranges, list) or not all(isinstance(r, str) and _RANGE.fullmatch(r) for r in ranges):
            raise BadRequest(f"工作表“{sheet}”的 merged 应为合并区域的列表，如 [\"C7:C8\"]")
        if wanted and ranges:
            merged[sheet] = ranges
    fills = request.get("fills") or {}
    if not isinstance(fills, dict):
        raise BadRequest("fills 应为 {\"工作表!单元格\": \"#RRGGBB\" 或 null}")
    known = {key: _colour(value, key) for key, value in fills.items()}

    def read_fills(keys):
        missing = [f"{sheet}!{address}" for sheet, address in keys if f"{sheet}!{address}" not in known]
        if missing:
            raise NeedFills(missing)
        return {(sheet, address): known[f"{sheet}!{address}"] for sheet, address in keys}
    return OpenBook.from_sheets(name, parsed, read_fills, merged)


def book_path(request: dict) -> str | None:
    book = request.get("book") if isinstance(request, dict) else None
    path = book.get("path") if isinstance(book, dict) else None
    return path if isinstance(path, str) and path else None


def response(operation: str, outcome: Outcome, **extra) -> dict:
    """The answer to one operation: the clerk's message, the findings and the edit list."""
    out = {"ok": True, "operation": operation, "message": outcome.message, "mode": outcome.mode,
           "edits": outcome.edits.to_json()}
    if outcome.result is not None:
        out["summary"] = outcome.result.summary
        out["findings"] = [f.to_json() for f in outcome.findings]
        out["inserted"] = [{"table": i.table, "row": i.row, "code": i.code, "name": i.name}
                           for i in outcome.result.inserted]
    if outcome.filled is not None:
        out["changed"] = len(outcome.filled.changes)
    if outcome.restored:
        out["restored"] = outcome.restored
    out.update(extra)
    return out
