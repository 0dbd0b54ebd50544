"""juesuan batch keeps memory flat in the number of files: workbooks are found as they are
checked, only a few are handed out ahead, and outcomes wait on disk (io.outcome_log), read
back in the order the summary wants. Each piece is compared with the list-based one it replaces."""
from __future__ import annotations

import json
import os
import random
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import SAMPLE_NAMES, SAMPLES, sample_path

from juesuan import batch
from juesuan.cli import main
from juesuan.domain.catalog import load_catalog
from juesuan.io.outcome_log import OutcomeLog
from juesuan.io.summary_xlsx import write_summary
from juesuan.views.summary import sorted_outcomes


def _sorted_listing(roots: list[Path], exclude=()) -> list[Path]:
    """What find_workbooks gave before it streamed: every candidate listed, then sorted."""
    found = []
    for root in roots:
        for folder, dirs, files in os.walk(root):
            found += [Path(folder) / f for f in files if batch._is_candidate(f)]
    return sorted(set(found) - set(exclude), key=batch._sort_key)


@pytest.fixture
def tree(tmp_path) -> Path:
    root = tmp_path / "收件"
    names = ["b.xlsx", "A.xlsx", "a.xlsx", "区县/乙.xlsx", "区县/甲.xlsx", "区县/深层/丙.xlsm", "ab.xlsx",
             "ab/z.xlsx", "Z/x.xls", "z.xlsx", "notes.txt", "~$a.xlsx"]
    for name in names:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(name.encode())
    return root


def test_files_come_in_path_order_as_the_sorted_listing_did(tree):
    assert batch.find_workbooks([tree]) == _sorted_listing([tree])


def test_a_folder_inside_another_is_walked_once_and_hard_links_are_taken_once(tree):
    os.link(tree / "b.xlsx", tree / "区县" / "b的链接.xlsx")
    found = batch.find_workbooks([tree / "区县", tree, tree / "区县" / "深层"])
    names = [p.relative_to(tree).as_posix() for p in found]
    assert len(names) == len(set(names)) == len(_sorted_listing([tree])) - 1     # the hard link once
    assert ("b.xlsx" in names) != ("区县/b的链接.xlsx" in names)


def test_the_excluded_summary_is_skipped_in_folders_but_a_named_file_is_taken(tree):
    summary = tree / "区县" / "甲.xlsx"
    assert summary not in batch.find_workbooks([tree], exclude=[summary])
    assert batch.find_workbooks([summary, tree], exclude=[summary]).count(summary) == 1


def test_finding_is_lazy(tree):
    """The first workbook is there before the walk has gone through the rest of the tree."""
    found = batch.iter_workbooks([tree])
    first = next(found)
    assert first == tree / "A.xlsx"
    shutil.rmtree(tree / "区县")            # not walked yet: a listing made up front would still name its files
    assert [first, *found] == _sorted_listing([tree])


def test_only_a_few_files_are_handed_out_ahead_of_the_workers(tmp_path):
    pulled = []

    def paths():
        for i in range(40):
            pulled.append(i)
            yield str(sample_path(SAMPLE_NAMES[i % len(SAMPLE_NAMES)]))

    checks = batch.run_checks(paths(), load_catalog(), jobs=2)
    first, _ = next(checks)
    assert len(pulled) <= 4 * 2                # in hand: 4 per worker, not the 40 files
    rest = [index for index, _ in checks]
    assert sorted([first, *rest]) == list(range(40)) and len(pulled) == 40


def _outcome(file, unit, errors=0, warnings=0, notes=()):
    findings = ([{"severity": "error", "rule": "R1", "table": "公开01", "cell": "C7", "message": f"错{i}",
                  "expected": "1.00", "actual": "2.00", "difference": "-1.00", "note": None} for i in range(errors)]
                + [{"severity": "warning", "rule": "E06", "table": "公开02", "cell": "B9", "message": f"警{i}",
                    "expected": None, "actual": None, "difference": None,
                    "note": notes[i] if i < len(notes) else None} for i in range(warnings)])
    return {"file": file, "unit": unit, "year": 2024, "amount_unit": "万元",
            "summary": {"error": errors, "warning": warnings, "info": 0}, "findings": findings}


OUTCOMES = [_outcome("收件/a.xlsx", "甲单位", errors=2), _outcome("收件/b.xlsx", "Beta单位", warnings=2, notes=("已说明",)),
            _outcome("收件/c.xlsx", "beta单位", warnings=1), _outcome("收件/d\udcff.xlsx", "", errors=1),
            {"file": "收件/e.xlsx", "error": "文件已损坏"}, _outcome("收件/f.xlsx", "甲单位"),
            _outcome("收件/区/g.xlsx", "甲单位", errors=2), _outcome("收件/h.xlsx", "乙单位", warnings=1, notes=("是",))]


def test_the_log_gives_back_the_outcomes_in_path_order_and_worst_first_as_sorted_outcomes():
    for seed in range(5):
        shuffled = random.Random(seed).sample(OUTCOMES, len(OUTCOMES))
        with OutcomeLog() as log:
            for outcome in shuffled:
                log.add(outcome)
            assert list(log.in_path_order()) == shuffled
            assert list(log.worst_first()) == sorted_outcomes(shuffled)
            assert list(log.worst_first(("有错误",))) == [o for o in sorted_outcomes(shuffled)
                                                         if "error" not in o and o["summary"]["error"]]
            assert batch.exit_code(log.tally) == batch.exit_code(shuffled) == 2


def test_json_lines_keep_only_the_tally_and_need_no_temporary_database(tmp_path, monkeypatch):
    """batch --format json prints each outcome as it comes: nothing is stored to read back, so the
    count and exit code come from the tally alone, and a temporary folder that cannot hold the
    database stops only the modes that read outcomes back (the screen summary, --report)."""
    with OutcomeLog(kept=False) as kept_nothing, OutcomeLog() as kept:
        for outcome in OUTCOMES:
            kept_nothing.add(outcome)
            kept.add(outcome)
        tallies = [(t.files, t.counts, t.unexplained, t.worst, t.common.folder)
                   for t in (kept_nothing.tally, kept.tally)]
        assert tallies[0] == tallies[1] and tallies[0][0] == len(OUTCOMES)
        with pytest.raises(RuntimeError):
            list(kept_nothing.in_path_order())
    import sqlite3

    def no_database(*_args, **_kwargs):
        raise sqlite3.OperationalError("unable to open database file")

    monkeypatch.setattr(sqlite3, "connect", no_database)
    inbox = tmp_path / "收件"
    inbox.mkdir()
    shutil.copy(SAMPLES / "jinan_lixia_2023.xlsx", inbox)
    as_json = CliRunner().invoke(main, ["batch", str(inbox), "--jobs", "1", "--format", "json"])
    assert as_json.exit_code == 0 and json.loads(as_json.stdout)["unit"] == "济南市历下区人民政府办公室"
    as_text = CliRunner().invoke(main, ["batch", str(inbox), "--jobs", "1"])
    assert as_text.exit_code != 0 and "无法在临时文件夹中保存批量审核的中间结果" in as_text.output


def test_the_summary_workbook_from_the_log_is_the_one_from_the_list(tmp_path):
    with OutcomeLog() as log:
        for outcome in OUTCOMES:
            log.add(outcome)
        streamed = write_summary(log, tmp_path / "streamed.xlsx", with_info=True)
    listed = write_summary(OUTCOMES, tmp_path / "listed.xlsx", with_info=True)
    a, b = openpyxl.load_workbook(streamed), openpyxl.load_workbook(listed)
    assert a.sheetnames == b.sheetnames == ["汇总", "全部问题"]
    for name in a.sheetnames:
        cells = lambda ws: [[(c.value, c.fill.fgColor.rgb, c.hyperlink.target if c.hyperlink else None)
                             for c in row] for row in ws.iter_rows()]
        assert cells(a[name]) == cells(b[name])
        assert a[name].auto_filter.ref == b[name].auto_filter.ref
        assert a[name].max_row > 9


def test_links_added_after_the_save_are_the_ones_openpyxl_would_have_written(tmp_path):
    """summary_xlsx writes the 文件 links into the saved package itself (openpyxl would hold
    every link in memory): the sheets and their relationships come out byte for byte as
    openpyxl writes them."""
    from juesuan.io.summary_xlsx import build_summary
    ours = write_summary(OUTCOMES, tmp_path / "ours.xlsx", with_info=True)
    build_summary(OUTCOMES, tmp_path, with_info=True).save(tmp_path / "openpyxl.xlsx")
    with zipfile.ZipFile(ours) as a, zipfile.ZipFile(tmp_path / "openpyxl.xlsx") as b:
        assert sorted(a.namelist()) == sorted(b.namelist())
        parts = [n for n in a.namelist() if n.startswith("xl/worksheets/")]
        assert len(parts) == 4               # two sheets, each with its relationships
        for name in parts:
            assert a.read(name) == b.read(name), name
        assert a.read("xl/worksheets/sheet1.xml").count(b"<hyperlink ") == len(OUTCOMES)
