"""The drafted 情况说明 as a file: Markdown (text, placeholders in bold 【】) or Word .docx
(python-docx, imported only here; placeholders highlighted yellow; charts embedded as images)."""
from __future__ import annotations

import io
from pathlib import Path

from ..domain.errors import UnusableWorkbook
from ..views.narrative_doc import CAPTION, HEADING, NOTE, SUBHEADING, TITLE, Chart, Narrative, Paragraph
from .atomic import write_atomically

MD_PREFIX = {TITLE: "# ", HEADING: "## ", SUBHEADING: "### "}


def markdown(doc: Narrative, chart_files: dict[int, str] | None = None) -> str:
    lines = []
    for i, block in enumerate(doc.blocks):
        if isinstance(block, Chart):
            if chart_files and i in chart_files:
                lines.append(f"![{block.caption}]({chart_files[i]})")
            continue
        text = "".join(f"**{r.text}**" if r.placeholder else r.text for r in block.runs)
        if block.style == CAPTION:
            text = f"*{text}*"
        lines.append(MD_PREFIX.get(block.style, "") + text)
    return "\n\n".join(lines) + "\n"


def write_markdown(doc: Narrative, target) -> Path:
    return write_atomically(target, markdown(doc).encode("utf-8"))


def docx_bytes(doc: Narrative, charts: bool = True) -> tuple[bytes, list[str]]:
    """The .docx and what could not be drawn (a chart without a CJK font, say)."""
    try:
        from docx import Document
        from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
        from docx.oxml.ns import qn
        from docx.shared import Cm, Pt
    except ImportError:
        raise UnusableWorkbook("生成 Word 文档需要 python-docx：请运行 pip install \"juesuan[narrate]\"，"
                               "或改用 --format md") from None
    problems: list[str] = []
    document = Document()
    style = document.styles["Normal"]
    style.font.name, style.font.size = "宋体", Pt(12)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    for block in doc.blocks:
        if isinstance(block, Chart):
            if not charts:
                continue
            try:
                from .charts import chart_png
                document.add_picture(io.BytesIO(chart_png(block)), width=Cm(14))
                document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
            except ImportError:
                problems.append("未安装 matplotlib，图表未生成（pip install \"juesuan[narrate]\"）")
                charts = False
            except RuntimeError as exc:                        # charts.NoChineseFont
                problems.append(str(exc))
                charts = False
            continue
        _paragraph(document, block, WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, qn, Pt)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue(), problems


def _paragraph(document, block: Paragraph, align, colors, qn, Pt) -> None:
    paragraph = document.add_paragraph()
    size, bold = {TITLE: (Pt(18), True), HEADING: (Pt(14), True), SUBHEADING: (Pt(12), True),
                  CAPTION: (Pt(10.5), False), NOTE: (Pt(10.5), False)}.get(block.style, (None, False))
    if block.style in (TITLE, CAPTION):
        paragraph.alignment = align.CENTER
    elif block.style not in (HEADING, SUBHEADING):
        paragraph.paragraph_format.first_line_indent = Pt(24)
    for piece in block.runs:
        run = paragraph.add_run(piece.text)
        run.font.name = "黑体" if bold else "宋体"
        run.element.rPr.rFonts.set(qn("w:eastAsia"), run.font.name)
        run.bold = bold or piece.placeholder
        if size is not None:
            run.font.size = size
        if piece.placeholder:
            run.font.highlight_color = colors.YELLOW


def write_docx(doc: Narrative, target, charts: bool = True) -> tuple[Path, list[str]]:
    content, problems = docx_bytes(doc, charts)
    return write_atomically(target, content), problems
