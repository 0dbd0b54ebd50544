"""The function-classification catalogue ships as data and a clerk can extend it with a CSV."""
import json

import openpyxl
from click.testing import CliRunner

from juesuan.cli import main
from juesuan.domain.catalog import load_catalog


def _unknown_code_book(sample_copy):
    wb = openpyxl.load_workbook(sample_copy)
    ws = wb["公开02"]
    ws["A9"].value, ws["B9"].value = "2010398", "本地新增项目"   # replaces 2010350 事业运行 (seed 000)
    wb.save(sample_copy)
    return sample_copy


def _findings(result):
    return [json.loads(line) for line in result.output.splitlines() if line.startswith("{")][0]["findings"]


def test_builtin_catalogue_covers_the_26_classes_and_the_seeds():
    catalog = load_catalog()
    assert len(catalog.classes) == 26 and catalog.classes[-1] == ("234", "抗疫特别国债安排的支出")
    assert catalog.function_name("2010305") == "专项业务及机关事务管理"
    assert len(catalog.economic) == 89 and catalog.economic_name("30303") == "退职（役）费"


def test_unknown_code_is_info_until_the_clerk_adds_it_with_a_csv(tmp_path):
    import shutil

    from conftest import sample_path
    book = tmp_path / "b.xlsx"
    shutil.copy(sample_path("liaocheng_bjb_2024"), book)
    _unknown_code_book(book)
    result = CliRunner().invoke(main, ["check", str(book), "--format", "json"])
    unknown = [f for f in _findings(result) if f["rule"] == "E05"]
    assert [(f["severity"], f["table"], f["cell"]) for f in unknown] == [("info", "公开02", "A9")]

    extra = tmp_path / "本地科目.csv"
    extra.write_text("code,name\n2010398,本地新增项目\n", encoding="utf-8-sig")
    result = CliRunner().invoke(main, ["check", str(book), "--format", "json", "--catalog", str(extra)])
    assert [f for f in _findings(result) if f["rule"] in ("E05", "E06")] == []

    result = CliRunner(env={"JUESUAN_CATALOG": str(extra)}).invoke(main, ["check", str(book), "--format", "json"])
    assert [f for f in _findings(result) if f["rule"] == "E05"] == []


def test_a_malformed_catalogue_csv_is_a_clear_usage_error(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("编码,名称\n201,x\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "whatever.xlsx", "--catalog", str(bad)])
    assert result.exit_code == 2 and "缺少表头 code,name" in result.output
    bad.write_text("code,name\n20x1,x\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "whatever.xlsx", "--catalog", str(bad)])
    assert result.exit_code == 2 and "应为3、5或7位数字" in result.output
