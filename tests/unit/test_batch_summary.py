"""views.summary and batch.exit_code: the batch summary as data, with literal expectations."""
from decimal import Decimal

from juesuan.batch import exit_code
from juesuan.exit_codes import Exit
from juesuan.views.summary import Cell, Row, main_problems, status_counts, status_of, summary_sheets


def finding(severity, message, rule="R1", actual="12.50"):
    return {"severity": severity, "rule": rule, "table": "公开01", "cell": "C7", "message": message,
            "expected": None, "actual": actual, "difference": "n/a"}


CLEAN = {"file": "a.xlsx", "unit": "甲单位", "year": 2024, "amount_unit": "万元",
         "summary": {"error": 0, "warning": 1, "info": 0}, "findings": [finding("warning", "警一")]}
BAD = {"file": "b.xlsx", "unit": "乙单位", "year": "二〇二四", "amount_unit": "元",
       "summary": {"error": 4, "warning": 0, "info": 0},
       "findings": [finding("error", f"错{i}") for i in range(1, 5)]}
BROKEN = {"file": "c.xlsx", "error": "文件已损坏"}


def test_status_counts_and_exit_code():
    assert [status_of(o) for o in (CLEAN, BAD, BROKEN)] == ["通过", "有错误", "无法使用"]
    assert status_counts([CLEAN, BAD, BAD]) == {"通过": 1, "有错误": 2, "无法使用": 0}
    assert exit_code([CLEAN]) == Exit.OK == 0
    assert exit_code([CLEAN, BAD]) == Exit.ERRORS == 1
    assert exit_code([BROKEN, BAD]) == Exit.UNUSABLE == 2
    assert exit_code([]) == Exit.OK


def test_main_problems_first_errors_else_warnings_else_the_reason():
    assert main_problems(BAD) == "错1；错2；错3；……另有 1 条错误"
    assert main_problems(CLEAN) == "（警告）警一"
    assert main_problems(BROKEN) == "文件已损坏"
    assert main_problems({**CLEAN, "findings": []}) == ""


def test_summary_sheet_rows():
    summary, findings = summary_sheets([CLEAN, BROKEN])
    assert (summary.title, findings.title) == ("汇总", "全部问题")
    assert summary.rows == [
        Row("a.xlsx", True, (Cell("甲单位"), Cell(2024), Cell("万元"), Cell(0), Cell(1), Cell(0),
                             Cell("通过", "C6EFCE"), Cell("（警告）警一"))),
        Row("c.xlsx", True, (None, None, None, None, None, None, Cell("无法使用", "F8CBAD"), Cell("文件已损坏"))),
    ]
    assert findings.rows == [
        Row("a.xlsx", True, (Cell("甲单位"), Cell("警告", "FFEA9B"), Cell("R1"), Cell("公开01"), Cell("C7"), Cell("警一"),
                             Cell(None, amount=True), Cell(Decimal("12.50"), amount=True), Cell("n/a", amount=True))),
        Row("c.xlsx", True, (None, Cell("无法使用", "F8CBAD"), None, None, None, Cell("文件已损坏"))),
    ]


def test_only_the_first_finding_of_a_file_links_to_it():
    _, findings = summary_sheets([BAD])
    assert [r.linked for r in findings.rows] == [True, False, False, False]
    assert findings.rows[0].cells[1] == Cell("错误", "FFC6CD")
