"""domain.layout: A1 addresses and the merged header cells of the standard sheets."""
import pytest

from juesuan.domain.layout import HeaderCell, a1, column_letter, layout_of, parse_a1


@pytest.mark.parametrize("index, letters", [
    (1, "A"), (3, "C"), (26, "Z"), (27, "AA"), (52, "AZ"), (53, "BA"), (702, "ZZ"), (703, "AAA"), (16384, "XFD"),
])
def test_column_letter(index, letters):
    assert column_letter(index) == letters


def test_a1_and_parse_a1_are_inverse():
    assert a1(36, 6) == "F36" and a1(1, 27) == "AA1" and a1(1048576, 16384) == "XFD1048576"
    assert parse_a1("F36") == (36, 6)
    assert parse_a1("aa10") == (10, 27)
    assert parse_a1("XFD1048576") == (1048576, 16384)
    for row, col in ((1, 1), (7, 12), (98, 3), (20000, 703)):
        assert parse_a1(a1(row, col)) == (row, col)


def test_headers_of_table_09():
    """预算数 (栏次1–6) and 决算数 (7–12) over three header rows; the car cost splits into 小计/购置/运行维护."""
    lay = layout_of("公开09")
    assert (lay.depth, lay.lineno_row, lay.first_data_row) == (3, 6, 7)
    H = HeaderCell
    assert lay.headers == [
        H(3, 1, "预算数", 1, 6), H(3, 7, "决算数", 1, 6),
        H(4, 1, "合计", 2, 1), H(4, 2, "因公出国（境）费", 2, 1), H(4, 3, "公务用车购置及运行维护费", 1, 3),
        H(4, 6, "公务接待费", 2, 1),
        H(4, 7, "合计", 2, 1), H(4, 8, "因公出国（境）费", 2, 1), H(4, 9, "公务用车购置及运行维护费", 1, 3),
        H(4, 12, "公务接待费", 2, 1),
        H(5, 3, "小计", 1, 1), H(5, 4, "公务用车购置费", 1, 1), H(5, 5, "公务用车运行维护费", 1, 1),
        H(5, 9, "小计", 1, 1), H(5, 10, "公务用车购置费", 1, 1), H(5, 11, "公务用车运行维护费", 1, 1),
    ]
    assert lay.lineno_cells == [(c, c, 1) for c in range(1, 13)]


def test_headers_of_table_04():
    """Two sides: 收入 (项目 行次 金额) and 支出 (项目 行次 and the four fund columns)."""
    lay = layout_of("公开04")
    assert (lay.depth, lay.lineno_row, lay.first_data_row) == (2, 5, 6)
    H = HeaderCell
    assert lay.headers == [
        H(3, 1, "收入", 1, 3), H(3, 4, "支出", 1, 6),
        H(4, 1, "项目"), H(4, 2, "行次"), H(4, 3, "金额"),
        H(4, 4, "项目"), H(4, 5, "行次"), H(4, 6, "合计"), H(4, 7, "一般公共预算财政拨款"),
        H(4, 8, "政府性基金预算财政拨款"), H(4, 9, "国有资本经营预算财政拨款"),
    ]
    assert lay.lineno_cells == [(1, "栏次", 1), (3, 1, 1), (4, "栏次", 1), (6, 2, 1), (7, 3, 1), (8, 4, 1), (9, 5, 1)]


def test_headers_of_a_code_table_and_its_fixed_rows():
    lay = layout_of("公开05")
    H = HeaderCell
    assert lay.headers == [
        H(3, 1, "项目", 1, 2), H(3, 3, "本年支出", 1, 3),
        H(4, 1, "科目编码"), H(4, 2, "科目名称"), H(4, 3, "小计"), H(4, 4, "基本支出"), H(4, 5, "项目支出"),
    ]
    assert lay.lineno_cells == [(1, "栏次", 2), (3, 1, 1), (4, 2, 1), (5, 3, 1)]


def test_fixed_lines_sit_where_the_domain_puts_them():
    """01: 行次 n of the income side on row 5+n, 行次 32… of the expenditure side from row 6 on."""
    lay = layout_of("公开01")
    assert lay.fixed_cell("1", 1) == (6, 3) and lay.fixed_cell("27", 1) == (32, 3) and lay.fixed_cell("31", 1) == (36, 3)
    assert lay.fixed_cell("32", 2) == (6, 6) and lay.fixed_cell("58", 2) == (32, 6) and lay.fixed_cell("62", 2) == (36, 6)
    lay04 = layout_of("公开04")
    assert lay04.fixed_cell("32", 1) == (37, 3) and lay04.fixed_cell("64", 5) == (37, 9)
    lay06 = layout_of("公开06")
    assert lay06.fixed_cell("30101", 1) == (8, 3)
    assert lay06.fixed_cell("人员经费合计", 1) == (34, 3) and lay06.fixed_cell("公用经费合计", 1) == (98, 3)
    assert layout_of("公开09").fixed_cell("1", 12) == (7, 12)
