"""`juesuan check BOOK --narrative 情况说明`: a clerk's 情况说明 checked against the workbook.

Each seed's own 情况说明 (Part 3) against its sample reports exactly the inconsistencies that
narrative.md §4 verified inside that text, and no others; every restated amount and percentage of
it, changed by 1.11, is reported quoting the changed number.
"""
from __future__ import annotations

import json
import re
import shutil
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from juesuan.cli import main
from juesuan.io.reader import read_report
from juesuan.rules.narrative_check import check_narrative
from juesuan.rules.parse import parse_grids
from juesuan.rules.registry import RULES
from juesuan.views.narrative import draft

sys.path.insert(0, str(Path(__file__).resolve().parent))
import seedtext as st
from conftest import sample_path
from helpers import grids_of
from test_narrative import SEEDS

# (rule, severity, the number or words as written) for each inconsistency narrative.md §4 verified
# inside the seed's 情况说明; the comments give the seed line and the arithmetic.
VERIFIED = {
    "liaocheng_bjb_2024": sorted([
        # §4 S0.1: S0:463, 465, 467 name the 类 "一般公共预算服务支出"; 公开05 (S0:254) "一般公共服务支出"
        ("N19", "warning", "一般公共预算服务支出"),
        ("N19", "warning", "一般公共预算服务支出"),
        ("N19", "warning", "一般公共预算服务支出"),
        # §4 S0.2: S0:543 "1.流动党委管理事务项目…" where S0:541 lists "流动党员管理事务" first
        ("N20", "warning", "流动党委管理事务"),
    ]),
    "zibo_zhangdian_2024": sorted([
        # §4 S1.1: S1:476 76.41 ÷ 1,225.21 = 6.2365% → 6.24; 6.23 = 100 − 78.64 − 10.01 − 5.12 (forced: info)
        ("N03", "info", "6.23"),
        # §4 S1.2: S1:573 执行数 5.87 ÷ 全年预算数 6 = 97.83%, not 96.33%
        ("N07", "error", "96.33"),
        # §4 S1.3: S1:487 the reason cites 8.06 万元, the excess is 759.80 − 757.10 = 2.70
        ("N21", "warning", "8.06"),
        # S1:563 "2024年度年度区级": a doubled word §4 does not list (it lists figures and names), there in the text
        ("N13", "warning", "年度年度"),
    ]),
    "jinan_lixia_2023": sorted([
        # §4 S2.1: S2:496 年初预算 4,901.53; the ten per-项 budgets (其他公开事项) add up to 5,173.80
        ("N01", "error", "4,901.53"),
        # §4 S2.2: S2:466 +1,120.26 implies 2022 财政拨款收支总计 3,945.22 < 2022 财政拨款收入 4,901.53 (S2:427 +163.95)
        ("N22", "error", "1,120.26"),
        # §4 S2.2: S2:407 +175.01 implies 2022 收支总计 4,901.53, but 基本 1,987.35 + 项目 1,962.87 = 3,950.22
        # would leave 951.31 of 年末结转, where 2023 年初结转和结余 is 9.71
        ("N22", "error", "175.01"),
        # §4 S2.3: S2:568 服务 = 服务中小企业 = 2,761.11, so 100%, not 54.81%
        ("N02", "error", "54.81"),
        # §4 S2.6: S2:586 "1. 运行维护专项经费项目…" where S2:584 lists "运行维护业务经费" first
        ("N20", "warning", "运行维护专项经费"),
    ]),
}
EXPECTED_FIGURES = {
    ("jinan_lixia_2023", "N01"): Decimal("5173.80"),
    ("jinan_lixia_2023", "N02"): Decimal(100),
    ("zibo_zhangdian_2024", "N07"): Decimal("97.83"),
}


def seed_narrative(name: str) -> list[str]:
    """The seed's 第三部分 情况说明, from its title to 第四部分 (名词解释)."""
    seeds = st.seeds_dir()
    if seeds is None:
        pytest.skip("shared/seeds not found beside the repo (set JUESUAN_SEEDS)")
    seed, start = SEEDS[name]
    lines = st.read_lines(seeds / seed)[start - 1:]
    end = next(i for i, line in enumerate(lines) if re.match(r"\s*(#+\s*)?第四部分", line))
    return lines[:end]


@pytest.fixture(scope="module")
def reports():
    return {name: read_report(sample_path(name)) for name in SEEDS}


@pytest.mark.parametrize("name", list(SEEDS))
def test_a_seed_text_reports_exactly_its_verified_inconsistencies(name, reports):
    findings = check_narrative(reports[name], seed_narrative(name))
    assert sorted((f.rule, f.severity, f.value) for f in findings) == VERIFIED[name]
    for f in findings:
        assert f.table == "情况说明" and re.fullmatch(r"第\d+段", f.cell)
        if (name, f.rule) in EXPECTED_FIGURES:
            assert f.expected == EXPECTED_FIGURES[name, f.rule]
            assert f"“{f.value}" in f.message          # the number as written, quoted


RESTATED = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(\s*)(万元|%)")


def printed(value: Decimal) -> str:
    """As the seeds print a figure: two decimals, trailing zeros dropped, thousands separated."""
    text = f"{value:,.2f}"
    return text.rstrip("0").rstrip(".")


@pytest.mark.parametrize("name", list(SEEDS))
def test_changing_any_restated_figure_by_1_11_is_reported(name, reports):
    """Every amount in 万元 and every percentage of the text, one at a time, plus 1.11: a new finding
    quotes the changed number. Not a figure: "单价 100 万元（含）以上设备", the equipment threshold."""
    lines, report = seed_narrative(name), reports[name]
    before = {(f.rule, f.cell, f.message) for f in check_narrative(report, lines)}
    missed, tried = [], 0
    for index, line in enumerate(lines):
        for m in RESTATED.finditer(line):
            if line[m.end():].lstrip().startswith("（含）"):
                continue
            tried += 1
            changed = printed(Decimal(m.group(1).replace(",", "")) + Decimal("1.11"))
            mutated = lines[:index] + [line[:m.start(1)] + changed + line[m.end(1):]] + lines[index + 1:]
            new = [f for f in check_narrative(report, mutated)
                   if (f.rule, f.cell, f.message) not in before and changed in f.message]
            if not new:
                missed.append(f"{SEEDS[name][0]}:{SEEDS[name][1] + index} {m.group(0)} -> {changed}")
    assert tried > 100                 # each seed restates well over a hundred figures (S0 alone lists 八 项 of 五)
    assert missed == []


COUNTED = re.compile(r"(?<![\d.,])(\d+)(\s*)(个|人次|辆|批次|台)")


@pytest.mark.parametrize("name", list(SEEDS))
def test_changing_any_count_by_one_is_reported(name, reports):
    """团组, 人次, 辆, 批次, 台（套）, 项目个数 (其他公开事项), each plus 1: a new finding."""
    lines, report = seed_narrative(name), reports[name]
    before = {(f.rule, f.cell, f.message) for f in check_narrative(report, lines)}
    missed, tried = [], 0
    for index, line in enumerate(lines):
        for m in COUNTED.finditer(line):
            tried += 1
            changed = str(int(m.group(1)) + 1)
            mutated = lines[:index] + [line[:m.start(1)] + changed + line[m.end(1):]] + lines[index + 1:]
            if not [f for f in check_narrative(report, mutated) if (f.rule, f.cell, f.message) not in before]:
                missed.append(f"{SEEDS[name][0]}:{SEEDS[name][1] + index} {m.group(0)} -> {changed}")
    assert tried > 20                  # 九 (团组, 人次, 辆, 批次), 十二 (eight vehicle counts, 台套), 十三 (项目)
    assert missed == []


@pytest.mark.parametrize("name", list(SEEDS))
def test_the_drafted_narrative_agrees_with_the_checker_on_every_figure(name, reports):
    """One mapping, one arithmetic: what `narrate` drafts passes every figure check (N01–N09). What
    remains is the workbook's own: S1's reason text citing 8.06 (§4 S1.3) and S2's 上年数 (§4 S2.2)."""
    text = draft(reports[name]).text()
    findings = check_narrative(reports[name], text.splitlines())
    assert {f.rule for f in findings} <= {"N21", "N22"}


HEAD = ["2024年度单位决算情况说明", "一、收入支出决算总体情况说明"]


def rules_of(report, lines) -> list[tuple[str, str]]:
    return [(f.rule, f.value) for f in check_narrative(report, lines) if f.rule not in ("N15", "N16")]


@pytest.mark.parametrize("lines, expected", [
    # S0:379 with a placeholder instead of the reason
    (HEAD + ["2024年度收、支总计均为500.07万元。与2023年度相比，收、支总计各增加96.85万元，增长24.02%。【待填写：主要原因】"],
     [("N12", "【待填写：主要原因】")]),
    (HEAD + ["2024年度收、支总计均为XX万元。"], [("N12", "XX")]),
    # S0:379 in 元: 500.07 万元 = 5,000,700 元
    (HEAD + ["2024年度收、支总计均为5,000,700元。"], [("N10", "5,000,700")]),
    # 增加 written as 减少: this year 500.07, 上年 403.22 (S0 上年数), so +96.85
    (HEAD + ["2024年度收、支总计均为500.07万元。与2023年度相比，收、支总计各减少96.85万元，下降24.02%。"],
     [("N04", "96.85")]),
    # 96.85 ÷ 403.22 = 24.02%: 42.02 is wrong
    (HEAD + ["2024年度收、支总计均为500.07万元。与2023年度相比，收、支总计各增加96.85万元，增长42.02%。"],
     [("N05", "42.02")]),
    (HEAD + ["主要是是增加了项目支出。"], [("N13", "是是")]),
    # a number that restates nothing the tool knows is not an error
    (HEAD + ["全年接待来访群众1,234人次，办理来信56件。"], []),
    # nor are these: points, times, areas, a web address, an idiom
    (HEAD + ["满意度增长3个百分点，办公用房占地面积500平方米，详见http://www.example.gov.cn/xxgk/，问题不了了之。"], []),
])
def test_wording_and_arithmetic_on_small_texts(reports, lines, expected):
    assert rules_of(reports["liaocheng_bjb_2024"], lines) == expected


def test_a_hundredth_of_a_wanyuan_is_rounding_and_only_info(reports):
    """The text may round from 元 (narrative.md §2.8): S0:379 with 500.08 and 96.86 for 500.07 and 96.85."""
    lines = HEAD + ["2024年度收、支总计均为500.08万元。与2023年度相比，收、支总计各增加96.86万元，增长24.02%。"]
    found = [(f.rule, f.severity, f.value) for f in check_narrative(reports["liaocheng_bjb_2024"], lines)
             if f.rule not in ("N15", "N16")]
    assert found == [("N01", "info", "500.08"), ("N04", "info", "96.86")]


def test_shares_comparisons_zero_bases_and_entity_words(reports):
    report = reports["liaocheng_bjb_2024"]
    lines = [
        "二、收入决算情况说明", "(一) 收入决算结构情况",
        # 500.07 ÷ 500.07 = 100%: the 占 of 财政拨款收入 lacks its % sign; 其他收入 0 of a 0 last year has no rate
        "2024年度收入合计500.07万元，其中：财政拨款收入500.07万元，占100；其他收入0万元，占0%。",
        "(二) 收入决算具体情况",
        "6、其他收入0万元。与2023年度相比，增加0万元，增长5%。",
        "五、一般公共预算财政拨款支出决算情况说明", "（三）一般公共预算财政拨款支出决算具体情况",
        # S0:479 with 大于 turned into 小于: 10.33 > 9.86
        ("8、住房保障支出（类）住房改革支出（款）住房公积金（项）。年初预算为9.86万元，支出决算为10.33万元，"
         "完成年初预算的104.77%。决算数小于年初预算数的主要原因是人员有调整。"),
        "七、政府性基金预算财政拨款收入支出决算情况说明",
        "本部门没有政府性基金财政拨款收支。",          # S0 is a 单位 (报表类型)
    ]
    assert sorted(rules_of(report, lines)) == [("N06", "5"), ("N08", "决算数小于年初预算数"), ("N11", "本部门"),
                                               ("N14", "占100")]


def test_nothing_claims_and_items_the_tool_cannot_place(reports):
    lines = ["十、机关运行经费支出说明", "本单位无财政拨款安排的机关运行经费支出。",   # S0:521 said by S1, which has 72.33
             "五、一般公共预算财政拨款支出决算情况说明",
             # a 项 of no name or amount in S1's 公开05: not checked, said as info
             "1、教育支出（类）普通教育（款）小学教育（项）。年初预算为1万元，支出决算为2.22万元，完成年初预算的222%。"]
    found = [(f.rule, f.severity, f.expected) for f in check_narrative(reports["zibo_zhangdian_2024"], lines)
             if f.rule not in ("N15", "N16")]
    assert found == [("N24", "info", None), ("N23", "error", Decimal("72.33"))]


def test_the_economic_items_listed_are_those_of_table_06(reports):
    lines = ["六、一般公共预算财政拨款基本支出决算情况说明",
             # S0:485 with 奖金 (0 in S0's 公开06) for 住房公积金, and no 等: 住房公积金 is left out
             "人员经费119.67万元，主要包括：基本工资、津贴补贴、机关事业单位基本养老保险缴费、职业年金缴费、职工基本医疗保险缴费、奖金。",
             # S1:517 ends with 等: a shorter list is fine
             "公用经费20.73万元，主要包括：办公费、水费等。"]
    found = [(f.rule, f.severity, f.value) for f in check_narrative(reports["liaocheng_bjb_2024"], lines)
             if f.rule not in ("N15", "N16")]
    assert found == [("N25", "warning", "奖金"), ("N26", "info", "住房公积金")]


def test_missing_sections_and_sangong_details(reports):
    lines = ["九、财政拨款“三公”经费支出决算情况说明",
             "1、因公出国（境）费全年预算为0万元，支出决算为0万元，与2024年预算基本持平，全年无预算。"]
    findings = check_narrative(reports["liaocheng_bjb_2024"], lines)
    missing = [f.message for f in findings if f.rule == "N15"]
    assert len(missing) == 12 and "十三、预算绩效情况" in missing[-1]
    details = [f.message for f in findings if f.rule == "N16"]
    assert len(details) == 6 and "因公出国（境）团组数" in details[0]


def old_book_report():
    grids = {k: v for k, v in grids_of(sample_path("zibo_zhangdian_2024")).items() if k not in ("上年数", "其他公开事项")}
    return parse_grids(grids, "old.xlsx")


def test_a_workbook_without_the_fact_sheets_says_what_it_lacks():
    findings = check_narrative(old_book_report(), seed_narrative("zibo_zhangdian_2024"))
    lacking = [f for f in findings if f.rule == "N18"]
    assert all(f.severity == "info" for f in lacking)
    # S1:408 各减少22.11 needs 上年数; S1:485 年初预算 1,241.94 and S1:551 采购 8.95 need 其他公开事项
    said = {f.value: f.message for f in lacking}
    assert "没有“上年数”" in said["减少22.11"]
    assert "其他公开事项" in said["1,241.94"] and "其他公开事项" in said["8.95"]
    # what the nine tables hold is still checked, and agrees: no figure error
    assert not [f for f in findings if f.severity == "error" and f.rule != "N07"]


def test_cli_on_an_older_workbook_checks_as_before_and_says_what_the_text_needs(tmp_path):
    import openpyxl
    book = openpyxl.load_workbook(sample_path("liaocheng_bjb_2024"))
    del book["上年数"], book["其他公开事项"]
    old = tmp_path / "旧版.xlsx"
    book.save(old)
    plain = CliRunner().invoke(main, ["check", str(old), "--format", "json"])
    assert not [f for f in json.loads(plain.output)["findings"] if f["table"] == "情况说明"]
    # S0:379 restated with its change: the amount is checked, the change needs 上年数
    text = tmp_path / "情况说明.txt"
    restated = "2024年度收、支总计均为500.07万元。与2023年度相比，收、支总计各增加96.85万元，增长24.02%。"
    text.write_text("\n".join([*HEAD, restated]), encoding="utf-8")
    checked = CliRunner().invoke(main, ["check", str(old), "--narrative", str(text), "--format", "json"])
    assert checked.exit_code == plain.exit_code
    said = [f for f in json.loads(checked.output)["findings"] if f["table"] == "情况说明" and f["severity"] == "info"]
    assert [(f["rule"], f["actual"]) for f in said] == [("N18", "96.85")]
    assert "没有“上年数”" in said[0]["message"]


def test_last_year_bases_need_every_part_stated(reports):
    """S2:407 and S2:454 alone: 项目支出's change (S2:456) is not stated, so last year's 支出合计 is not
    known from the text and the 年末结转 argument of §4 S2.2 cannot be made."""
    lines = ["一、收入支出决算总体情况说明",
             "2023年度收、支总计均为5,076.54万元。与2022年度相比，收、支总计各增加175.01万元，增长3.57%。",
             "三、支出决算情况说明", "1、基本支出1,807.77万元。与2022年度相比，减少179.58万元，下降9.04%。"]
    assert [f for f in check_narrative(reports["jinan_lixia_2023"], lines) if f.rule not in ("N15", "N16")] == []


def test_a_figure_the_workbook_lacks_stated_twice_differently():
    lines = ["十二、国有资产占用情况说明", "截至2024年12月31日，本单位共有车辆5辆。", "本单位共有车辆6辆。"]
    findings = check_narrative(old_book_report(), lines)
    assert [(f.rule, f.value) for f in findings if f.rule == "N17"] == [("N17", "6")]


def test_the_rules_are_listed():
    result = CliRunner().invoke(main, ["rules"])
    assert "N01" in result.output and "[情况说明]" in result.output
    assert all(RULES[f"N{n:02d}"].family == "情况说明" for n in range(1, 27))


# --- the command -------------------------------------------------------------------------
def seed_file(tmp_path, name: str, suffix: str) -> Path:
    target = tmp_path / f"情况说明{suffix}"
    target.write_text("\n".join(seed_narrative(name)) + "\n", encoding="utf-8")
    return target


def test_cli_json_carries_the_findings_and_exits_1(tmp_path):
    text = seed_file(tmp_path, "jinan_lixia_2023", ".md")
    result = CliRunner().invoke(main, ["check", str(sample_path("jinan_lixia_2023")), "--narrative", str(text),
                                       "--format", "json"])
    assert result.exit_code == 1, result.output
    findings = json.loads(result.output)["findings"]
    budget = next(f for f in findings if f["rule"] == "N01")
    assert (budget["table"], budget["actual"], budget["expected"]) == ("情况说明", "4901.53", "5173.80")
    assert budget["cell"].startswith("第") and budget["cell"].endswith("段")


def test_cli_write_puts_them_in_the_review_without_a_link(tmp_path):
    import openpyxl
    book = tmp_path / "本年.xlsx"
    shutil.copy(sample_path("zibo_zhangdian_2024"), book)
    text = seed_file(tmp_path, "zibo_zhangdian_2024", ".txt")
    result = CliRunner().invoke(main, ["check", str(book), "--narrative", str(text), "--write"])
    assert result.exit_code == 1, result.output          # S1:573 96.33% is an error
    sheet = openpyxl.load_workbook(book)["审核结果"]
    rows = [row for row in sheet.iter_rows() if row[2].value == "N07"]
    assert len(rows) == 1
    assert rows[0][3].value == "情况说明" and re.fullmatch(r"情况说明!第\d+段", rows[0][4].value)
    assert all(cell.hyperlink is None for cell in rows[0])


def test_cli_reads_a_docx(tmp_path):
    docx = pytest.importorskip("docx")
    document = docx.Document()
    for line in HEAD + ["2024年度收、支总计均为501.07万元。"]:       # S0:379 says 500.07
        document.add_paragraph(line)
    target = tmp_path / "情况说明.docx"
    document.save(str(target))
    result = CliRunner().invoke(main, ["check", str(sample_path("liaocheng_bjb_2024")), "--narrative", str(target)])
    assert result.exit_code == 1
    assert "收、支总计写作“501.07”万元，工作簿为 500.07 万元" in result.output


@pytest.mark.parametrize("name, content, message", [
    ("情况说明.pdf", b"%PDF-1.4", "应为 .docx、.md 或 .txt"),
    ("无此文件.txt", None, "找不到情况说明文件"),
    ("空白.md", b"\n  \n", "没有文字"),
    ("坏的.docx", b"not a zip", "不是有效的 .docx 文件"),
])
def test_cli_refuses_an_unreadable_text_in_chinese(tmp_path, name, content, message):
    if name.endswith(".docx"):
        pytest.importorskip("docx")
    target = tmp_path / name
    if content is not None:
        target.write_bytes(content)
    result = CliRunner().invoke(main, ["check", str(sample_path("liaocheng_bjb_2024")), "--narrative", str(target)])
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output


def test_checking_a_published_document_checks_its_narrative_too():
    seeds = st.seeds_dir()
    if seeds is None:
        pytest.skip("shared/seeds not found")
    result = CliRunner().invoke(main, ["check", str(seeds / "001_db1ad83b847b4eb0.txt"), "--format", "json"])
    findings = json.loads(result.output)["findings"]
    wrong = [f for f in findings if f["rule"] == "N07"]
    assert len(wrong) == 1 and "（原文第573行）" in wrong[0]["message"]       # S1:573, 5.87 ÷ 6 = 97.83%
