"""The charts of the 情况说明 as PNG images (matplotlib, imported only when a chart is drawn).

Chinese needs a CJK font: Noto Sans CJK (Debian fonts-noto-cjk) or any font matplotlib knows
that covers CJK; without one, no chart is drawn and the caller says so, rather than boxes."""
from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from ..views.narrative_doc import BARS, Chart
from ..views.narrative_words import num, shares

FONT_FILES = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
              "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
              "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
              "C:/Windows/Fonts/msyh.ttc", "C:/Windows/Fonts/simhei.ttf",
              "/System/Library/Fonts/PingFang.ttc")
FONT_NAMES = ("Noto Sans CJK SC", "Microsoft YaHei", "SimHei", "PingFang SC", "WenQuanYi Micro Hei")
COLORS = ("#4472C4", "#ED7D31", "#A5A5A5", "#FFC000", "#5B9BD5", "#70AD47", "#264478", "#9E480E")


class NoChineseFont(RuntimeError):
    pass


@lru_cache(maxsize=1)
def chinese_font():
    """FontProperties of a CJK font, or NoChineseFont."""
    from matplotlib import font_manager
    for path in FONT_FILES:
        if Path(path).is_file():
            return font_manager.FontProperties(fname=path)
    names = {f.name for f in font_manager.fontManager.ttflist}
    for name in FONT_NAMES:
        if name in names:
            return font_manager.FontProperties(family=name)
    raise NoChineseFont("没有找到中文字体（如 Noto Sans CJK），图表无法显示中文：请安装 fonts-noto-cjk")


def chart_png(chart: Chart) -> bytes:
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    font = chinese_font()
    figure = Figure(figsize=(6.0, 3.4), dpi=150)
    axes = figure.add_subplot()
    values = [float(v) for v in chart.values]          # drawing only: the text states the exact figures
    if chart.kind == BARS:
        bars = axes.bar(chart.labels, values, color=COLORS[: len(values)], width=0.5)
        for bar, value in zip(bars, chart.values):
            axes.annotate(num(value), (bar.get_x() + bar.get_width() / 2, bar.get_height()), ha="center",
                          va="bottom", fontproperties=font, fontsize=9)
        axes.set_ylabel("万元", fontproperties=font)
        axes.spines[["top", "right"]].set_visible(False)
        for label in axes.get_xticklabels():
            label.set_fontproperties(font)
        axes.margins(y=0.15)
    else:
        wedges, _ = axes.pie(values, colors=COLORS[: len(values)], startangle=90, counterclock=False,
                             wedgeprops={"linewidth": 1, "edgecolor": "white"})
        parts = shares(chart.values, sum(chart.values))      # the shares the text states
        labels = [f"{label} {num(value)}万元（{num(part)}%）" if parts else label
                  for label, value, part in zip(chart.labels, chart.values, parts or chart.values)]
        axes.legend(wedges, labels, prop=font, loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)
        axes.set_aspect("equal")
    buffer = io.BytesIO()                   # the caption is a paragraph under the image, as in the seeds
    figure.savefig(buffer, format="png", bbox_inches="tight", pad_inches=0.1)
    return buffer.getvalue()
