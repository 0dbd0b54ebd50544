"""excel.live.rectangles: cells grouped into few rectangles (r1, c1, r2, c2) for the Excel adapter."""
import pytest

from juesuan.excel.live import rectangles


@pytest.mark.parametrize("cells, rects", [
    ([], []),
    ([(1, 1)], [(1, 1, 1, 1)]),
    ([(1, 1), (1, 1)], [(1, 1, 1, 1)]),                                       # duplicates once
    ([(1, 3), (1, 1), (1, 2)], [(1, 1, 1, 3)]),                               # a run along a row
    ([(1, 1), (1, 2), (2, 1), (2, 2)], [(1, 1, 2, 2)]),                       # aligned runs stack
    ([(1, 1), (3, 1)], [(1, 1, 1, 1), (3, 1, 3, 1)]),                         # a gap row breaks the stack
    ([(1, 1), (1, 3)], [(1, 1, 1, 1), (1, 3, 1, 3)]),                         # a gap column breaks the run
    ([(1, 1), (1, 2), (2, 1)], [(1, 1, 1, 2), (2, 1, 2, 1)]),                 # L: different spans
    ([(6, 3), (7, 3), (8, 3), (6, 6), (7, 6)], [(6, 3, 8, 3), (6, 6, 7, 6)]),  # two columns of a sheet
    ([(1, 1), (2, 1), (2, 2), (3, 1)], [(1, 1, 1, 1), (2, 1, 2, 2), (3, 1, 3, 1)]),
])
def test_rectangles(cells, rects):
    assert rectangles(cells) == rects
