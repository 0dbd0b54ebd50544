"""A clerk's 情况说明 as paragraphs with their section, and the numbers in them. Pure.

The text comes from Word paragraphs, Markdown or plain text (often converted from a PDF, which
breaks sentences over lines and spaces numbers: "占\n\n93.46%", "500.07 万元"): a line that does not
end a sentence is joined to the next one unless either is a heading; whitespace and markup are
dropped. Paragraphs are numbered 1, 2, … as the finding's cell ("第12段").
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

CHINESE_NUMERALS = "一二三四五六七八九十"
# the thirteen sections by the words their heading always carries (narrative.md §1, §3)
SECTIONS = (
    ("一", "收入支出决算总体情况"), ("二", "收入决算情况"), ("三", "支出决算情况"),
    ("四", "财政拨款收入支出决算总体情况"), ("五", "一般公共预算财政拨款支出决算情况"),
    ("六", "一般公共预算财政拨款基本支出决算情况"), ("七", "政府性基金预算财政拨款收入支出决算情况"),
    ("八", "国有资本经营预算财政拨款支出决算情况"), ("九", "“三公”经费支出决算情况"),
    ("十", "机关运行经费支出"), ("十一", "政府采购支出"), ("十二", "国有资产占用情况"), ("十三", "预算绩效情况"),
)
SECTION_HEADING = re.compile(r"^([一二三四五六七八九十]{1,3})、(.*)$")
SUBHEADING = re.compile(r"^[（(]([一二三四五六七八九十]{1,2})[)）]")
MARKUP = re.compile(r"^(?:#+|[-*•]\s)|\*\*")
TERMINAL = ("。", "；", "：", "！", "？", ".", ";", ":")
END_OF_NARRATIVE = re.compile(r"^(?:#+)?第[四五六]部分")

# an amount or a percentage as printed: thousands separated or not, up to two decimals
NUMBER = r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"


@dataclass
class Paragraph:
    number: int          # 1-based among the non-empty paragraphs
    text: str            # whitespace and markup removed
    section: str         # "一" … "十三", "" before the first heading
    sub: str             # "一", "二", … of the current (一)/(二) subheading, "" when none
    where: str = ""      # the position of its first line in an imported document: "第412行"

    @property
    def cell(self) -> str:
        return f"第{self.number}段"


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", MARKUP.sub("", text.strip())).replace("**", "")


def is_heading(text: str) -> bool:
    """A section or subheading line: "一、…", "(二) …", without a full stop inside."""
    short = len(text) <= 40 and "。" not in text
    return short and (SECTION_HEADING.match(text) is not None or SUBHEADING.match(text) is not None
                      or text.startswith("图") or text.endswith("情况说明"))


def section_of(text: str) -> str | None:
    match = SECTION_HEADING.match(text)
    if match is None or "。" in text:
        return None
    numeral, title = match.groups()
    for number, words in SECTIONS:
        if numeral == number and words.replace("“", "").replace("”", "") in title.replace("“", "").replace("”", ""):
            return number
    return numeral if len(text) <= 40 else None


def paragraphs(lines: list[str], wheres: list[str] | None = None) -> list[Paragraph]:
    """The non-empty paragraphs of the text, broken lines joined, each with its section;
    `wheres`: the position of each line in the document it was imported from."""
    joined: list[str] = []
    starts: list[str] = []
    for index, raw in enumerate(lines):
        text = squeeze(raw)
        if not text:
            continue
        if END_OF_NARRATIVE.match(text) and joined:
            break                                  # 第四部分 名词解释 … is not the 情况说明
        if joined and not joined[-1].endswith(TERMINAL) and not is_heading(joined[-1]) and not is_heading(text):
            joined[-1] += text
        else:
            joined.append(text)
            starts.append(wheres[index] if wheres else "")
    out, section, sub = [], "", ""
    for number, text in enumerate(joined, start=1):
        found = section_of(text)
        if found is not None:
            section, sub = found, ""
        else:
            match = SUBHEADING.match(text)
            if match:
                sub = match.group(1)
        out.append(Paragraph(number, text, section, sub, starts[number - 1]))
    return out


def to_decimal(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def sentence_at(text: str, position: int) -> str:
    """The sentence of `text` around `position` (between full stops), for quoting."""
    start = max(text.rfind(mark, 0, position) for mark in "。；") + 1
    ends = [i for i in (text.find(mark, position) for mark in "。；") if i >= 0]
    end = min(ends) + 1 if ends else len(text)
    return text[start:end]
