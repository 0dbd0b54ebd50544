"""A formula's references after a row is inserted at row 9 of 公开05, as Excel rewrites them."""
import pytest

from juesuan.io.sheet_rows import shift_formula


@pytest.mark.parametrize("own, before, after", [
    ("公开09", "=SUM(公开05!C7:C9)", "=SUM(公开05!C7:C10)"),          # the range over row 9 grows
    ("公开09", "=公开05!C10+公开05!$D$12", "=公开05!C11+公开05!$D$13"),  # below: moves, $ or not
    ("公开09", "=公开05!C8", "=公开05!C8"),                            # above: stays
    ("公开09", "='公开05'!C9*2", "='公开05'!C10*2"),                   # quoted sheet name
    ("公开05", "=C9+公开03!C9", "=C10+公开03!C9"),                     # own sheet without a name; another sheet stays
    ("公开09", "=SUM(公开05!C:C)", "=SUM(公开05!C:C)"),                # a whole column stays
    ("公开09", '="公开05!C9"&公开05!B9', '="公开05!C9"&公开05!B10'),   # text is not a reference
])
def test_references_move_as_excel_moves_them(own, before, after):
    assert shift_formula(before, own, "公开05", 9) == after
