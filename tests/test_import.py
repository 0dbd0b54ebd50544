"""`juesuan import` and checking a published document directly, on the real seeds.

The expectations are the hand-made transcriptions in samples/data/*.json (each made from the
same seed text by hand, independently of the importer) and literal lines of the seeds.
Word and PDF documents are generated once per session: a .docx of each seed laid out as
printed, PDFs of our own publication of each sample and of each seed's layout (LibreOffice,
one call for all six).
"""
import json
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import SAMPLE_NAMES, SAMPLES, needs_soffice, sample_path  # noqa: E402
from seedtext import seeds_dir  # noqa: E402

from juesuan.cli import main  # noqa: E402
from juesuan.domain.catalog import load_catalog  # noqa: E402
from juesuan.domain.samples import report_from_sample  # noqa: E402
from juesuan.domain.schema import FACT_SHEETS  # noqa: E402
from juesuan.io.reader import read_report  # noqa: E402
from juesuan.ops import check_book  # noqa: E402
from juesuan.ops.imports import check_document, import_document  # noqa: E402

SEEDS = seeds_dir()
needs_seeds = pytest.mark.skipif(SEEDS is None, reason="shared seeds not found")
CATALOG = load_catalog()
# how the first paragraph of each seed's 情况说明 begins (seed 000 line 379, 001 line 408, 002 line 407)
OPENING = {"liaocheng_bjb_2024": "2024 年度收、支总计均为 500.07 万元。",
           "zibo_zhangdian_2024": "2024年度收、支总计均为1,225.21万元。",
           "jinan_lixia_2023": "2023 年度收、支总计均为 5,076.54 万元。"}


def sample_data(name: str) -> dict:
    return json.loads((SAMPLES / "data" / f"{name}.json").read_text(encoding="utf-8"))


def seed_path(name: str) -> Path:
    return SEEDS / sample_data(name)["source"]


def snapshot(report):
    """Every figure by (table, row key, 栏次) (blank None, 0.00 a Decimal zero), code rows, 单位信息."""
    cells = {(ref.table, ref.key, ref.no): cell.value for ref, cell in report.iter_cells()}
    rows = {table_id: [(row.key, row.code, row.name) for row in table.rows]
            for table_id, table in report.tables.items() if table.spec.kind == "code"}
    info = {key: item.value for key, item in report.info.items()}
    return cells, rows, info


def expected(name: str):
    return snapshot(report_from_sample(sample_data(name)))


def run(*args):
    result = CliRunner().invoke(main, list(map(str, args)))
    return result.exit_code, result.output


# --- the seeds as text ----------------------------------------------------------------------
@needs_seeds
@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_seed_text_imports_as_its_hand_made_sample(name):
    imported = import_document(seed_path(name), CATALOG)
    assert snapshot(imported.report) == expected(name)
    assert imported.findings == []
    narrative = [line.text for line in imported.narrative]
    assert narrative[0].strip("#* ") == "第三部分"
    assert any(text.startswith(OPENING[name]) for text in narrative)
    assert not any("名词解释" in text for text in narrative)      # Part 4 is not the narrative


@needs_seeds
@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_checking_the_seed_text_finds_what_checking_its_sample_finds(name):
    def found(result):
        # what the nine tables show: not 上年数/其他公开事项 (transcribed into the samples by hand from
        # the seed's 情况说明; a document has no such sheets), nor the document's own 情况说明, checked
        # too (tests/test_narrative_check.py)
        return sorted((f.rule, f.severity, f.table, f.cell) for f in result.findings
                      if f.table not in FACT_SHEETS and f.table != "情况说明")

    direct = check_document(seed_path(name), CATALOG)
    assert found(direct) == found(check_book(sample_path(name), CATALOG))
    cited = [f for f in direct.findings if f.table.startswith("公开")]
    assert cited and all("（原文第" in f.message for f in cited)


@needs_seeds
@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_import_command_writes_the_book_and_the_narrative_beside_it(tmp_path, name):
    book = tmp_path / "导入.xlsx"
    code, output = run("import", seed_path(name), "-o", book)
    assert code == 0, output
    assert snapshot(read_report(book)) == expected(name)
    narrative = tmp_path / "导入_情况说明.txt"
    assert "导入_情况说明.txt" in output
    text = narrative.read_text(encoding="utf-8")
    assert text.lstrip("#* ").startswith("第三部分") and OPENING[name] in text
    code, output = run("import", seed_path(name), "-o", book)
    assert code == 2 and "已存在" in output                       # never overwrites without --force


def test_a_document_that_is_not_a_disclosure_exits_2_with_one_chinese_message(tmp_path):
    notice = tmp_path / "通知.txt"
    notice.write_text("关于召开年度工作会议的通知\n各科室：定于下周一召开会议。\n", encoding="utf-8")
    code, output = run("import", notice, "-o", tmp_path / "x.xlsx")
    assert code == 2
    assert "不是部门（单位）决算公开文件" in output
    assert not (tmp_path / "x.xlsx").exists()
    code, output = run("check", notice)
    assert code == 2 and "不是部门（单位）决算公开文件" in output


@needs_seeds
def test_check_takes_a_document_and_refuses_to_write_into_it(tmp_path):
    seed = tmp_path / "历下2023.txt"
    seed.write_bytes(seed_path("jinan_lixia_2023").read_bytes())
    code, output = run("check", seed)
    # the three E06 warnings of the sample: 2010305 printed as 专业事务及机关事务管理 in 02, 03 and 05
    # and its own 情况说明 (narrative.md §4): S2.2's two contradicting 上年 bases (N22, errors) and S2.6's
    # project named two ways (N20)
    assert code == 1 and "错误 2 条，警告 4 条" in output and "2010305" in output and "原文第" in output
    assert output.count("N22") == 2 and output.count("N20") == 1
    code, output = run("check", seed, "--write")
    assert code == 2 and "juesuan import" in output
    assert seed.read_bytes() == seed_path("jinan_lixia_2023").read_bytes()


def summarize(findings) -> dict[str, int]:
    counts = {"error": 0, "warning": 0, "info": 0}
    for f in findings:
        counts[f["severity"]] += 1
    return counts


def test_batch_finds_word_and_pdf_in_folders_and_takes_a_text_named_explicitly(word_documents, tmp_path):
    inbox = tmp_path / "收件"
    inbox.mkdir()
    (inbox / "历下2023.docx").write_bytes(word_documents["jinan_lixia_2023"].read_bytes())
    (inbox / "历下2023_情况说明.txt").write_text("第三部分\n", encoding="utf-8")    # a .txt in a folder: not taken
    seed = tmp_path / "聊城2024.txt"
    seed.write_bytes(seed_path("liaocheng_bjb_2024").read_bytes())
    code, output = run("batch", inbox, seed, "--format", "json", "--jobs", 1)
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    assert sorted(Path(line["file"]).name for line in lines) == ["历下2023.docx", "聊城2024.txt"]
    summaries = {Path(line["file"]).name: summarize(f for f in line["findings"] if f["table"] != "情况说明")
                 for line in lines}
    # what checking the samples gives: 历下 3 warnings (E06) and 27 尾差, 聊城 1 尾差
    assert summaries == {"历下2023.docx": {"error": 0, "warning": 3, "info": 27},
                         "聊城2024.txt": {"error": 0, "warning": 0, "info": 1}}
    # and the documents' own 情况说明 (narrative.md §4): 历下 S2.2 (two N22 errors) and S2.6 (N20);
    # 聊城 S0.1 (three N19) and S0.2 (N20)
    narrative = {Path(line["file"]).name: sorted(f["rule"] for f in line["findings"]
                                                 if f["table"] == "情况说明" and f["severity"] != "info")
                 for line in lines}
    assert narrative == {"历下2023.docx": ["N20", "N22", "N22"], "聊城2024.txt": ["N19", "N19", "N19", "N20"]}
    assert code == 1


# --- Word and PDF ---------------------------------------------------------------------------
@pytest.fixture(scope="session")
def word_documents(tmp_path_factory):
    pytest.importorskip("docx")
    if SEEDS is None:
        pytest.skip("shared seeds not found")
    from support.documents import seed_docx
    folder = tmp_path_factory.mktemp("word")
    return {name: seed_docx(seed_path(name).read_text(encoding="utf-8"), folder / f"{name}.docx")
            for name in SAMPLE_NAMES}


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_word_document_in_the_seeds_table_style_imports_as_its_sample(word_documents, name):
    imported = import_document(word_documents[name], CATALOG)
    assert snapshot(imported.report) == expected(name)
    assert imported.findings == []
    assert any(line.text.startswith(OPENING[name]) for line in imported.narrative)


PUBLISHED_ZERO = {"zibo_zhangdian_2024": "0.00"}      # seed 001 prints 0.00; the others print blank


@pytest.fixture(scope="session")
def pdf_documents(tmp_path_factory):
    pytest.importorskip("pdfplumber")
    if SEEDS is None:
        pytest.skip("shared seeds not found")
    from support.documents import render_pdfs, seed_sheet

    from juesuan.io.publication_xlsx import render_workbook
    from juesuan.views.publication import build_publication
    folder = tmp_path_factory.mktemp("pdf")
    sources = []
    for name in SAMPLE_NAMES:
        publication = build_publication(read_report(sample_path(name)), PUBLISHED_ZERO.get(name, "blank"))
        render_workbook(publication).save(folder / f"published_{name}.xlsx")
        sources.append(folder / f"published_{name}.xlsx")
        sources.append(seed_sheet(seed_path(name).read_text(encoding="utf-8"), folder / f"seed_{name}.xlsx"))
    pdfs = render_pdfs(sources, folder)
    return {pdf.stem: pdf for pdf in pdfs}


@needs_soffice
@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_pdf_of_the_published_sample_imports_back_to_the_same_figures(pdf_documents, name):
    imported = import_document(pdf_documents[f"published_{name}"], CATALOG)
    cells, rows, info = expected(name)
    if name in PUBLISHED_ZERO:      # published with zero style 0.00: every blank amount cell prints 0.00
        cells = {ref: Decimal("0.00") if value is None else value for ref, value in cells.items()}
    assert snapshot(imported.report) == (cells, rows, info)
    assert imported.findings == []


@needs_soffice
@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_pdf_in_the_seeds_layout_imports_as_its_sample(pdf_documents, name):
    imported = import_document(pdf_documents[f"seed_{name}"], CATALOG)
    assert snapshot(imported.report) == expected(name)
    assert imported.findings == []
    assert imported.narrative and "第三部分" in imported.narrative[0].text


def test_import_help_is_chinese():
    code, output = run("import", "--help")
    assert code == 0
    assert "导入已公开的决算文件" in output and "情况说明" in output
    assert "Usage" not in output and "Options" not in output


@pytest.mark.parametrize("name, content, fragment", [
    ("空.txt", b"", "空的"),
    ("旧版.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "另存为 .docx"),
    ("不是.docx", b"this is not a zip", "不是 Word"),
    ("坏.pdf", b"%PDF-1.4 broken", "PDF"),
    ("旧版.doc", b"\xd0\xcf\x11\xe0", "不支持的文件类型"),
])
def test_unusable_documents_give_one_chinese_message_and_exit_2(tmp_path, name, content, fragment):
    pytest.importorskip("docx")
    pytest.importorskip("pdfplumber")
    path = tmp_path / name
    path.write_bytes(content)
    code, output = run("import", path, "-o", tmp_path / "x.xlsx")
    assert code == 2 and fragment in output and "Traceback" not in output
    assert not (tmp_path / "x.xlsx").exists()


def test_a_named_pipe_is_refused_without_waiting(tmp_path):
    import os
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes here")
    pipe = tmp_path / "管道.txt"
    os.mkfifo(pipe)
    code, output = run("check", pipe)
    assert code == 2 and "不是普通文件" in output
