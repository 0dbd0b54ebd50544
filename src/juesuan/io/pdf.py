"""PDF of the published workbook through LibreOffice headless.

Each conversion runs with its own throw-away LibreOffice profile
(-env:UserInstallation) so parallel runs never collide and a clerk's own
LibreOffice settings are untouched. When the Chinese fonts the workbook names
(宋体, 黑体, 仿宋) are not installed, the profile maps them to an installed CJK
font (Noto / Source Han / WenQuanYi …) so every character renders, and says the text is
Simplified Chinese so CJK fonts print its glyph forms (DOCUMENT_LANGUAGE_CJK). The PDF is put
in place by the atomic writer (atomic.py): a target it refuses raises WriteRefused.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

from .atomic import refuse_unwritable, write_atomically

TIMEOUT_SECONDS = 300
ENV_SOFFICE = "JUESUAN_SOFFICE"

INSTALL_HINT = ("本机未找到 LibreOffice，无法生成 PDF。"
                "Linux 请安装：sudo apt-get install libreoffice-calc-nogui fonts-noto-cjk；"
                "Windows 请安装 LibreOffice（https://zh-cn.libreoffice.org/），"
                "或用 Excel 打开生成的公开表 .xlsx，“文件→导出→创建 PDF”（或打印为 PDF）。")

# font the workbook names -> installed families to use instead, best first; Simplified Chinese
# faces only. Standalone ones (Noto Serif SC, Source Han Serif SC …) come before the Noto CJK
# collections for their name alone: every face of a Noto CJK .ttc shares one CFF table whose
# internal name is the Japanese one, so pdffonts lists NotoSerifCJKjp whatever face was asked for.
# The glyph forms printed follow the text's language, which the profile sets (DOCUMENT_LANGUAGE_CJK).
_SERIF = ("Noto Serif SC", "Source Han Serif SC", "Source Han Serif CN", "Noto Serif CJK SC",
          "Source Han Serif SC VF", "AR PL UMing CN")
_SANS = ("Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN", "Noto Sans CJK SC", "WenQuanYi Zen Hei")
SUBSTITUTES = {
    "宋体": ("SimSun", *_SERIF, *_SANS),
    "仿宋": ("FangSong", *_SERIF, *_SANS),
    "黑体": ("SimHei", *_SANS, *_SERIF),
}


class PdfUnavailable(Exception):
    """No PDF could be made; the message is Chinese and says what to do."""


def find_soffice() -> str | None:
    explicit = os.environ.get(ENV_SOFFICE)
    if explicit:
        return explicit if Path(explicit).exists() else None
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    candidates = []
    if sys.platform == "win32":
        for base in (os.environ.get("ProgramFiles"), os.environ.get("ProgramFiles(x86)")):
            if base:
                candidates.append(Path(base) / "LibreOffice" / "program" / "soffice.exe")
    elif sys.platform == "darwin":
        candidates.append(Path("/Applications/LibreOffice.app/Contents/MacOS/soffice"))
    for path in candidates:
        if path.exists():
            return str(path)
    return None


def installed_families() -> set[str]:
    fc_list = shutil.which("fc-list")
    if not fc_list:
        return set()
    try:
        out = subprocess.run([fc_list, ":", "family"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return set()
    return {name.strip() for line in out.splitlines() for name in line.split(",") if name.strip()}


def font_pairs(families: set[str]) -> list[tuple[str, str]]:
    """(font named in the workbook, installed replacement) for fonts that are missing."""
    pairs = []
    for wanted, choices in SUBSTITUTES.items():
        if wanted in families or choices[0] in families:
            continue
        for choice in choices[1:]:
            if choice in families:
                pairs.append((wanted, choice))
                break
    return pairs


# The language LibreOffice gives text that carries none (an .xlsx names fonts, not languages). A CJK
# font picks its regional glyph forms by it (OpenType `locl`): the Noto CJK collections print 直 and
# 骨 in their Japanese forms under a Japanese locale, whatever face was asked for. So the conversion
# says Simplified Chinese, as the documents are.
DOCUMENT_LANGUAGE_CJK = "zh-CN"


def _profile_xcu(pairs: list[tuple[str, str]]) -> str:
    items = ['<item oor:path="/org.openoffice.Office.Linguistic/General">'
             f'<prop oor:name="DefaultLocale_CJK" oor:op="fuse"><value>{DOCUMENT_LANGUAGE_CJK}</value></prop></item>',
             '<item oor:path="/org.openoffice.Office.Common/Font/Substitution">'
             '<prop oor:name="Replacement" oor:op="fuse"><value>true</value></prop></item>']
    for i, (wanted, choice) in enumerate(pairs):
        items.append(
            '<item oor:path="/org.openoffice.Office.Common/Font/Substitution/FontPairs">'
            f'<node oor:name="_{i}" oor:op="replace">'
            '<prop oor:name="Always" oor:op="fuse"><value>true</value></prop>'
            '<prop oor:name="OnScreenOnly" oor:op="fuse"><value>false</value></prop>'
            f'<prop oor:name="ReplaceFont" oor:op="fuse"><value>{escape(wanted)}</value></prop>'
            f'<prop oor:name="SubstituteFont" oor:op="fuse"><value>{escape(choice)}</value></prop>'
            '</node></item>')
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
            'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
            + "\n".join(items) + "\n</oor:items>\n")


def pdf_pages(path: Path) -> int | None:
    """Page count from the PDF itself (no extra library); None when unsure."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    counts = [int(m) for m in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", data)]
    return max(counts) if counts else None


def workbook_to_pdf(workbook, target: Path) -> int | None:
    """Convert an openpyxl workbook to `target` (.pdf) through the atomic writer;
    returns the page count when known."""
    refuse_unwritable(target)       # before a conversion of minutes that could not be put in place
    soffice = find_soffice()
    if soffice is None:
        raise PdfUnavailable(INSTALL_HINT)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise PdfUnavailable(f"{target}：文件夹“{folder}”不存在，PDF 未生成")
    work = Path(tempfile.mkdtemp(prefix="juesuan-pdf-"))
    try:
        profile = work / "profile"
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(
            _profile_xcu(font_pairs(installed_families())), encoding="utf-8")
        src = work / "publish.xlsx"
        workbook.save(src)
        out = work / "out"
        out.mkdir()
        command = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--invisible",
                   "--nologo", "--norestore", "--nolockcheck", "--convert-to", "pdf", "--outdir", str(out), str(src)]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS,
                                  stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise PdfUnavailable(f"LibreOffice 转换超过 {TIMEOUT_SECONDS} 秒仍未完成，已放弃。"
                                 "请关闭其他正在运行的 LibreOffice 后重试，或用 Excel 打开公开表 .xlsx 另存为 PDF。") from None
        except OSError as exc:
            raise PdfUnavailable(f"无法启动 LibreOffice（{exc.strerror or exc}）。{INSTALL_HINT}") from None
        produced = out / "publish.pdf"
        if not produced.exists() or produced.stat().st_size == 0:
            detail = (done.stderr or done.stdout or "").strip().splitlines()
            raise PdfUnavailable("LibreOffice 未能生成 PDF" + (f"（{detail[-1][:200]}）" if detail else "")
                                 + "。可用 Excel 打开公开表 .xlsx 另存为 PDF。")
        written = write_atomically(target, lambda temp: shutil.copyfile(produced, temp))
        return pdf_pages(written)
    finally:
        shutil.rmtree(work, ignore_errors=True)
