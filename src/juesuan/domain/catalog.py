"""Classification catalogues, shipped as CSV data inside the package.

Users extend the function classification with their own CSV (code,name) through
``--catalog`` on the command line or the JUESUAN_CATALOG environment variable
(several paths separated by os.pathsep); later files override earlier ones.
"""
from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

ENV_EXTRA = "JUESUAN_CATALOG"

# A function code: 3 (类), 5 (款) or 7 (项) ASCII digits. Not \d, which takes ٢٠١ and २०१ as well.
CODE_PATTERN = re.compile(r"[0-9]{3}|[0-9]{5}|[0-9]{7}")


class CatalogError(ValueError):
    pass


@dataclass(frozen=True)
class EconomicCode:
    code: str
    name: str
    group: str  # 人员经费 / 公用经费


@dataclass
class Catalog:
    classes: list[tuple[str, str]]            # the 26 类 of tables 01/04, in order
    economic: list[EconomicCode]               # table 06, in printed order
    function: dict[str, str] = field(default_factory=dict)

    def class_name(self, code: str) -> str | None:
        return dict(self.classes).get(code)

    def function_name(self, code: str) -> str | None:
        return self.function.get(code)

    def economic_name(self, code: str) -> str | None:
        for item in self.economic:
            if item.code == code:
                return item.name
        return None

    def with_extra(self, paths) -> "Catalog":
        function = dict(self.function)
        for path in paths:
            function.update(read_code_csv(Path(path)))
        return Catalog(self.classes, self.economic, function)


def _rows(text: str, source: str) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) of every row with a code; a row without a name is refused."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if not reader.fieldnames or "code" not in reader.fieldnames or "name" not in reader.fieldnames:
        raise CatalogError(f"科目目录 {source} 缺少表头 code,name")
    rows = []
    for row in reader:
        if not (row.get("code") or "").strip():
            continue
        if not (row.get("name") or "").strip():      # csv gives None for a missing field
            raise CatalogError(f"科目目录 {source} 第{reader.line_num}行：科目“{row['code'].strip()}”缺少名称")
        rows.append((reader.line_num, row))
    return rows


def read_code_csv(path: Path) -> dict[str, str]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CatalogError(f"无法读取科目目录 {path}：{exc.strerror or exc}") from None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise CatalogError(f"科目目录 {path} 编码无法识别（请保存为 UTF-8）")
    result = {}
    for number, row in _rows(text, str(path)):
        code = row["code"].strip()
        if not CODE_PATTERN.fullmatch(code):
            raise CatalogError(f"科目目录 {path} 第{number}行：科目编码“{code}”应为3、5或7位数字")
        result[code] = row["name"].strip()
    return result


def _package_csv(name: str) -> list[dict[str, str]]:
    text = resources.files("juesuan").joinpath("data", name).read_text(encoding="utf-8")
    return [row for _, row in _rows(text, name)]


@lru_cache(maxsize=1)
def builtin_catalog() -> Catalog:
    """The catalogue shipped with the package, whatever the environment says: what the fixed
    tables are declared from at import (a bad JUESUAN_CATALOG must not break --help)."""
    classes = [(r["code"], r["name"]) for r in _package_csv("expenditure_classes.csv")]
    economic = [EconomicCode(r["code"], r["name"], r["group"]) for r in _package_csv("economic_codes.csv")]
    try:
        function = {r["code"]: r["name"] for r in _package_csv("function_codes.csv")}
    except FileNotFoundError:
        function = {}
    for code, name in classes:
        function.setdefault(code, name)
    return Catalog(classes, economic, function)


def load_catalog(extra_paths=()) -> Catalog:
    """The built-in catalogue, extended by JUESUAN_CATALOG and then by extra_paths."""
    env = [p for p in os.environ.get(ENV_EXTRA, "").split(os.pathsep) if p]
    paths = [*env, *extra_paths]
    return builtin_catalog().with_extra(paths) if paths else builtin_catalog()


_BRACKETS = str.maketrans({"(": "（", ")": "）", "[": "【", "]": "】"})
_SPACES = re.compile(r"[\s\u3000]+")


@lru_cache(maxsize=4096)     # (the audit compares every row's name, the same few hundred in each book)
def normalize_name(name: str) -> str:
    """Compare names ignoring widths of brackets and PDF-conversion spaces."""
    return _SPACES.sub("", name or "").translate(_BRACKETS)
