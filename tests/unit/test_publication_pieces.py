"""views.publication and the pure helpers of io.publication_xlsx, on tiny hand-built reports."""
from decimal import Decimal as D

import pytest

from juesuan.domain.layout import HeaderCell
from juesuan.domain.model import add_code_row, blank_report
from juesuan.io.publication_xlsx import balanced
from juesuan.views.publication import build_publication, display_width, printed, records


@pytest.mark.parametrize("text, width", [
    ("", 0), ("abc", 3), ("合计", 4), ("因公出国（境）费", 16), ("1,225.21", 8), ("Ａ１", 4), ("一般 公共", 9),
])
def test_display_width_counts_cjk_twice(text, width):
    assert display_width(text) == width


def test_printed_by_zero_style():
    assert printed(None, "blank") is None and printed(D("0"), "blank") is None and printed(D("0.00"), "blank") is None
    assert printed(D("1.50"), "blank") == D("1.50")
    zero = printed(None, "0.00")
    assert zero == D("0") and str(zero) == "0.00"
    assert str(printed(D("0"), "0.00")) == "0.00"
    assert printed(D("-3.20"), "0.00") == D("-3.20")


@pytest.mark.parametrize("text, width, lines", [
    ("合计", 13, "合计"),                                     # fits: unchanged
    ("对附属单位补助支出", 15, "对附属单位\n补助支出"),          # broken after 单位, near the middle
    ("一般公共预算财政拨款", 15, "一般公共预算\n财政拨款"),      # after 预算
    ("已\n分行", 5, "已\n分行"),                              # a line break given is kept
    ("一般公共预算财政拨款", 5, "一般\n公共\n预算\n财政\n拨款"),  # too long for two lines: equal pieces
])
def test_balanced_header_lines(text, width, lines):
    assert balanced(text, width) == lines


def tiny_report():
    report = blank_report()
    report.info["unit_name"].value = "测试单位"
    report.info["year"].value = 2024
    report.tables["公开01"].row("1").cells[1].value = D("1.005")
    row = add_code_row(report, "公开05", "2010301", "行政运行")
    row.cells[2].value = D("12.5")
    report.tables["公开09"].rows[0].cells[7].value = D("0")
    return report


def test_records_of_a_tiny_report():
    """One record per figure that is not blank (a zero is a figure), rounded half-up to cents."""
    common = {"单位名称": "测试单位", "年度": "2024", "金额单位": "万元"}
    assert records(build_publication(tiny_report())) == [
        {**common, "表号": "公开01", "表名": "收入支出决算总表", "项目": "一、一般公共预算财政拨款收入", "行次": "1",
         "科目编码": "", "栏目": "金额", "栏次": "1", "金额": "1.01"},
        {**common, "表号": "公开05", "表名": "一般公共预算财政拨款支出决算表", "项目": "行政运行", "行次": "",
         "科目编码": "2010301", "栏目": "本年支出/基本支出", "栏次": "2", "金额": "12.50"},
        {**common, "表号": "公开09", "表名": "财政拨款“三公”经费支出决算表", "项目": "财政拨款“三公”经费支出",
         "行次": "1", "科目编码": "", "栏目": "决算数/合计", "栏次": "7", "金额": "0.00"},
    ]


def test_rounding_note_and_empty_table_notes():
    publication = build_publication(tiny_report())
    assert publication.tables[0].notes == [
        "注：1. 本表反映单位本年度的总收支和年末结转结余情况。2. 本套报表金额单位转换时可能存在尾数误差。"]
    assert [t.spec.id for t in publication.tables if any("故本表无数据" in n for n in t.notes)] == ["公开07", "公开08"]


def test_table_06_is_printed_as_three_column_groups():
    """人员经费 (301, 303) | 公用经费 302 | 公用经费 307 310 312 399, closed by the two 合计 in one row."""
    t06 = build_publication(blank_report()).tables[5]
    H = HeaderCell
    assert t06.header_cells == [
        H(0, 1, "人员经费", 1, 3), H(0, 4, "公用经费", 1, 6),
        *[H(1, c, text) for c, text in enumerate(["科目编码", "科目名称", "金额"] * 3, start=1)],
    ]
    assert t06.header_rows == 2 and t06.columns == 9
    # lines per group, from the catalogue: 301 + 13 款 + 303 + 12 款; 302 + 27 款;
    # 307 + 4, 310 + 16, 312 + 5, 399 + 5 款 — the longest group sets the rows, plus the closing row
    assert len(t06.body) == 34 + 1
    codes = {col: [cell.value for row in t06.body for c, cell in row if c == col and cell.kind == "code"]
             for col in (1, 4, 7)}
    assert [len(codes[c]) for c in (1, 4, 7)] == [27, 28, 34]
    assert [v for v in codes[1] if len(v) == 3] == ["301", "303"]
    assert [v for v in codes[4] if len(v) == 3] == ["302"]
    assert [v for v in codes[7] if len(v) == 3] == ["307", "310", "312", "399"]
    assert [(c, cell.value) for c, cell in t06.body[0] if cell.kind != "amount"] == [
        (1, "301"), (2, "工资福利支出"), (4, "302"), (5, "商品和服务支出"), (7, "307"), (8, "债务利息及费用支出")]
    assert all(cell.bold for c, cell in t06.body[0] if cell.kind != "amount")      # 类 rows are bold
    closing = [(c, cell.value, cell.kind, cell.span) for c, cell in t06.body[-1]]
    assert closing == [(1, "人员经费合计", "center", 2), (3, None, "amount", 1),
                       (4, "公用经费合计", "center", 5), (9, None, "amount", 1)]
    assert [cell.figure.row_label for c, cell in t06.body[-1] if cell.figure] == ["人员经费合计", "公用经费合计"]
