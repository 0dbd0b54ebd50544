"""views.summary and batch.exit_code: the batch summary as data, with literal expectations."""
from decimal import Decimal

from juesuan.batch import exit_code
from juesuan.exit_codes import Exit
from juesuan.views.summary import (
    Cell,
    Row,
    count_line,
    main_problems,
    shown_names,
    sorted_outcomes,
    status_counts,
    status_label,
    status_of,
    summary_sheets,
    warning_counts,
)


def finding(severity, message, rule="R1", actual="12.50", note=None):
    return {"severity": severity, "rule": rule, "table": "公开01", "cell": "C7", "message": message,
            "expected": None, "actual": actual, "difference": "n/a", "note": note}


def outcome(file, unit, findings, year=2024, amount_unit="万元"):
    summary = {s: sum(f["severity"] == s for f in findings) for s in ("error", "warning", "info")}
    return {"file": file, "unit": unit, "year": year, "amount_unit": amount_unit, "summary": summary,
            "findings": findings}


EXPLAINED = outcome("收件/a.xlsx", "甲单位", [finding("warning", "警一", note="  经批准\n追加预算 "),
                                          finding("info", "尾差")])
UNEXPLAINED = outcome("收件/d.xlsx", "丁单位", [finding("warning", "警一", note="   "), finding("warning", "警二"),
                                            finding("warning", "警三", note="已说明")])
BAD = outcome("收件/b.xlsx", "乙单位", [finding("error", f"错{i}") for i in range(1, 5)], year="二〇二四", amount_unit="元")
BROKEN = {"file": "收件/c.xlsx", "error": "文件已损坏"}
CLEAN = outcome("收件/e.xlsx", "戊单位", [])


def test_a_warning_is_explained_by_a_note_that_is_not_blank():
    assert warning_counts(EXPLAINED) == (1, 0)
    assert warning_counts(UNEXPLAINED) == (1, 2)            # a blank note explains nothing
    # check --format json has no notes: every warning unexplained
    assert warning_counts({"findings": [{"severity": "warning"}, {"severity": "error"}]}) == (0, 1)


def test_four_statuses_and_the_exit_code():
    assert [status_of(o) for o in (EXPLAINED, UNEXPLAINED, BAD, BROKEN, CLEAN)] == \
        ["通过", "有警告", "有错误", "无法使用", "通过"]
    assert status_label(UNEXPLAINED) == "有警告（未说明 2 条）"
    assert status_label(EXPLAINED) == "通过"
    assert status_counts([EXPLAINED, BAD, BAD, UNEXPLAINED]) == {"无法使用": 0, "有错误": 2, "有警告": 1, "通过": 1}
    assert exit_code([EXPLAINED, UNEXPLAINED]) == Exit.OK == 0          # warnings never fail a run
    assert exit_code([EXPLAINED, BAD]) == Exit.ERRORS == 1
    assert exit_code([BROKEN, BAD]) == Exit.UNUSABLE == 2
    assert exit_code([]) == Exit.OK


def test_count_line_counts_the_unexplained_warnings_of_warning_workbooks_only():
    with_errors_and_a_warning = outcome("收件/f.xlsx", "己单位", [finding("error", "错"), finding("warning", "警")])
    assert count_line([EXPLAINED, UNEXPLAINED, BAD, BROKEN, with_errors_and_a_warning]) == \
        "共 5 个工作簿：无法使用 1 个，有错误 2 个，有警告 1 个（未说明的警告共 2 条），通过 1 个"


def test_main_problems_first_errors_else_unexplained_warnings_else_the_reason():
    assert main_problems(BAD) == "错1；错2；错3；……另有 1 条错误"
    assert main_problems(UNEXPLAINED) == "（未说明的警告）警一；警二"
    assert main_problems(EXPLAINED) == ""
    assert main_problems(BROKEN) == "文件已损坏"


def test_worst_first_then_by_unit_then_by_file():
    second_of_jia = outcome("收件/z.xlsx", "甲单位", [])
    no_unit = outcome("收件/0.xlsx", None, [])
    ordered = sorted_outcomes([CLEAN, second_of_jia, no_unit, EXPLAINED, BROKEN, UNEXPLAINED, BAD])
    assert [o["file"] for o in ordered] == ["收件/c.xlsx", "收件/b.xlsx", "收件/d.xlsx",
                                            "收件/e.xlsx", "收件/a.xlsx", "收件/z.xlsx", "收件/0.xlsx"]


def test_files_are_shown_from_the_folder_they_share():
    assert shown_names(["收件/2024/区县/a.xlsx", "收件/2024/b.xlsx"]) == \
        ("收件/2024", {"收件/2024/区县/a.xlsx": "区县/a.xlsx", "收件/2024/b.xlsx": "b.xlsx"})
    assert shown_names(["a.xlsx", "sub/b.xlsx"]) == ("", {"a.xlsx": "a.xlsx", "sub/b.xlsx": "sub/b.xlsx"})
    assert shown_names(["/abs/a.xlsx", "rel/b.xlsx"])[0] == ""


def test_summary_sheet_count_lines_and_rows():
    summary, findings = summary_sheets([EXPLAINED, BROKEN, UNEXPLAINED])
    assert (summary.title, findings.title) == ("汇总", "全部问题")
    assert [tuple(c.value for c in line) for line in summary.preamble] == [
        ("批量审核汇总：共 3 个工作簿：无法使用 1 个，有错误 0 个，有警告 1 个（未说明的警告共 2 条），通过 1 个",),
        ("文件夹：收件",),
        ("无法使用", "1 个", "文件损坏、加密、格式不对等，未能审核：请单位重新报送"),
        ("有错误", "0 个", "有必须改正的错误：请单位改正后重新报送"),
        ("有警告", "1 个", "没有错误，但有警告未在“审核结果”表“备注”栏说明原因"),
        ("通过", "1 个", "没有错误，警告（如有）均已在备注中说明"),
        (),
    ]
    assert summary.header_row == 8 and summary.file_column == 10
    assert summary.rows == [
        Row((Cell("无法使用", "F8CBAD"), None, None, None, None, None, None, None, Cell("文件已损坏"), Cell("c.xlsx")),
            "收件/c.xlsx"),
        Row((Cell("有警告（未说明 2 条）", "FFEB9C"), Cell("丁单位"), Cell(2024), Cell("万元"), Cell(0), Cell(2), Cell(1),
             Cell(0), Cell("（未说明的警告）警一；警二"), Cell("d.xlsx")), "收件/d.xlsx"),
        Row((Cell("通过", "C6EFCE"), Cell("甲单位"), Cell(2024), Cell("万元"), Cell(0), Cell(0), Cell(1), Cell(1),
             Cell(""), Cell("a.xlsx")), "收件/a.xlsx"),
    ]


def test_findings_sheet_has_the_notes_and_leaves_out_info_unless_asked():
    _, findings = summary_sheets([EXPLAINED, BROKEN])
    assert findings.rows == [
        Row((None, Cell("无法使用", "F8CBAD"), None, None, None, Cell("文件已损坏"), None, None, None, None,
             Cell("c.xlsx")), "收件/c.xlsx"),
        Row((Cell("甲单位"), Cell("警告", "FFEA9B"), Cell("R1"), Cell("公开01"), Cell("C7"), Cell("警一"),
             Cell(None, amount=True), Cell(Decimal("12.50"), amount=True), Cell("n/a", amount=True),
             Cell("经批准 追加预算"), Cell("a.xlsx")), "收件/a.xlsx"),
    ]
    _, with_info = summary_sheets([EXPLAINED], with_info=True)
    assert [r.cells[1].value for r in with_info.rows] == ["警告", "提示"]
    assert with_info.rows[1].cells[9] == Cell(None)                      # no note


def test_only_the_first_finding_of_a_file_links_to_it():
    _, findings = summary_sheets([BAD])
    assert [r.link for r in findings.rows] == ["收件/b.xlsx", None, None, None]
    assert findings.rows[0].cells[1] == Cell("错误", "FFC6CD")
