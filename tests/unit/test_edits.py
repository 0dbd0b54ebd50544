"""The edit list (views/edits.py) every live route applies, on literals: what steps a run writes."""
import json
from decimal import Decimal

from juesuan.ops.open_book import _before_insertion, _kept_rows_move
from juesuan.rules.parents import Insertion
from juesuan.views.edits import Edits, cell_value, forget_marks, safe_text


def test_amounts_go_in_rectangles_each_formatted_then_written():
    edits = Edits()
    edits.amounts({("公开05", "C6"): Decimal("228.56"), ("公开05", "D6"): Decimal("100"),
                   ("公开05", "C7"): Decimal("1.10"), ("公开05", "D7"): None, ("公开03", "F9"): Decimal("-0.01")})
    assert edits.to_json() == [
        {"op": "number_format", "sheet": "公开03", "range": [9, 6, 9, 6], "format": "#,##0.00"},
        {"op": "values", "sheet": "公开03", "row": 9, "col": 6, "values": [[-0.01]]},
        {"op": "number_format", "sheet": "公开05", "range": [6, 3, 7, 4], "format": "#,##0.00"},
        {"op": "values", "sheet": "公开05", "row": 6, "col": 3, "values": [[228.56, 100], [1.1, None]]},
    ]


def test_colours_group_equal_colours_and_none_means_no_fill():
    edits = Edits()
    edits.colours({("公开01", "B7"): "#FFC6CD", ("公开01", "B8"): "#FFC6CD", ("公开01", "C7"): None})
    assert edits.to_json() == [
        {"op": "colour", "sheet": "公开01", "range": [7, 3, 7, 3], "colour": None},
        {"op": "colour", "sheet": "公开01", "range": [7, 2, 8, 2], "colour": "#FFC6CD"},
    ]


def test_an_inserted_kuan_row_is_a_row_then_its_code_as_text_and_name():
    edits = Edits()
    edits.inserted_rows([Insertion("公开03", 13, "20105", "统计信息事务", True)])
    assert edits.to_json() == [
        {"op": "insert_row", "sheet": "公开03", "row": 13},
        {"op": "number_format", "sheet": "公开03", "range": [13, 1, 13, 1], "format": "@"},
        {"op": "values", "sheet": "公开03", "row": 13, "col": 1, "values": [["20105", "统计信息事务"]]},
    ]


def test_clearing_marks_restores_then_empties_the_registry_rows_n_and_o():
    edits = forget_marks(Edits(), [()] * 9, {("公开05", "D9"): None})
    assert edits.to_json() == [
        {"op": "colour", "sheet": "公开05", "range": [9, 4, 9, 4], "colour": None},
        {"op": "clear_contents", "sheet": "审核结果", "range": [6, 14, 9, 15]},
    ]
    assert forget_marks(Edits(), None, {}).to_json() == []


def test_values_are_what_a_cell_and_json_take():
    assert cell_value(Decimal("500.07")) == 500.07 and cell_value(Decimal("12.00")) == 12
    assert safe_text("a\x00b\tc") == "a\ufffdb\tc"
    assert len(safe_text("字" * 40000)) == 32767
    json.dumps(Edits([{"op": "values", "sheet": "公开01", "row": 1, "col": 1,
                       "values": [[cell_value(Decimal("1.5")), "x", None, True]]}]).to_json())


def test_cells_after_inserted_rows_are_read_where_they_were():
    # rows 13 and 20 of 公开03 inserted (in that order, the second counting the first)
    moved = _before_insertion([Insertion("公开03", 13, "20105", "统计信息事务", True),
                               Insertion("公开03", 20, "20106", "财政事务", True)])
    assert moved(("公开03", "C12")) == ("公开03", "C12")           # above: unmoved
    assert moved(("公开03", "C14")) == ("公开03", "C13")           # below the first: one up
    assert moved(("公开03", "C21")) == ("公开03", "C19")           # below both: two up
    assert moved(("公开03", "A13")) == ("公开03", "A13")           # an inserted row reads as the row below it
    assert moved(("公开05", "C21")) == ("公开05", "C21")           # other sheets: unmoved


def test_rows_are_not_inserted_under_addresses_the_registry_keeps():
    # code tables' data begin below the 合计 row; a kept address there would point elsewhere after an insert
    assert _kept_rows_move([("公开03", "C40")])
    assert not _kept_rows_move([("公开01", "C40"), ("公开03", "C1")])
    assert not _kept_rows_move([])
