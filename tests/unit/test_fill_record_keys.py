"""The fill record's entries name cells by identity (table, row key, 栏次); entries of older review
sheets, by address, are still read and resolved against the report before any row moves."""
from decimal import Decimal

from juesuan.domain.model import Ref, add_code_row, blank_report
from juesuan.rules.fill import record_by_ref
from juesuan.views.review import parse_record_text, record_text


def test_an_entry_names_the_cell_by_identity_and_reads_back():
    ref = Ref("公开05", "2010301", 2)
    assert record_text(ref, Decimal("228.56")) == "公开05!2010301:2=228.56"
    assert record_text(Ref("公开05", "合计", 1), None) == "公开05!合计:1="
    assert parse_record_text("公开05!2010301:2=228.56") == (ref, Decimal("228.56"))
    assert parse_record_text("公开05!合计:1=") == (Ref("公开05", "合计", 1), None)


def test_an_older_entry_by_address_is_resolved_against_the_report():
    assert parse_record_text("公开05!C6=228.56") == (("公开05", "C6"), Decimal("228.56"))
    report = blank_report()
    add_code_row(report, "公开05", "201", "一般公共服务支出")      # row 7, below 合计 on row 6
    record = {("公开05", "C6"): Decimal("1"), ("公开05", "D7"): Decimal("2"), ("公开05", "Z99"): Decimal("3")}
    assert record_by_ref(record, report) == {Ref("公开05", "合计", 1): Decimal("1"), Ref("公开05", "201", 2): Decimal("2")}


def test_damaged_entries_are_ignored():
    assert parse_record_text("公开05!C6") is None
    assert parse_record_text("=12") is None
    assert parse_record_text("公开05!x:y=1") is None
