"""What keeps `juesuan check` cheaper than opening the workbook (issue 14; the figures are in bench/):
a check reads with the fast reader and never imports the heavy libraries the writing paths need."""
from __future__ import annotations

import subprocess
import sys
import textwrap

from conftest import sample_path

HEAVY = ("openpyxl", "numpy", "pandas", "multiprocessing", "ssl")


def _modules_after(*args) -> tuple[int, set[str]]:
    """Exit code of `juesuan *args` in a fresh interpreter, and which of HEAVY it imported."""
    script = textwrap.dedent(f"""
        import sys
        from click.testing import CliRunner
        from juesuan.cli import main
        result = CliRunner().invoke(main, {list(map(str, args))!r})
        print(result.exit_code, *sorted({{m.split(".")[0] for m in sys.modules}} & {set(HEAVY)!r}))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    code, *loaded = done.stdout.split()
    return int(code), set(loaded)


def test_check_of_a_workbook_with_warnings_imports_no_heavy_library():
    # jinan: no error, 3 warnings (so the 备注 of its 审核结果 are read too): exit code 0
    assert _modules_after("check", sample_path("jinan_lixia_2023")) == (0, set())


def test_the_writing_paths_still_load_openpyxl():
    """The same harness sees an import when there is one: template builds a workbook with openpyxl
    (and cannot write it under /dev/null: exit code 2)."""
    code, loaded = _modules_after("rules")
    assert (code, loaded) == (0, set())
    code, loaded = _modules_after("template", "-o", "/dev/null/不能写.xlsx")
    assert code == 2 and "openpyxl" in loaded


def test_serve_help_names_the_origin_the_server_allows():
    """cli/serve.py writes the add-in's origin out for its help (importing the server would load
    openpyxl for every command); it must be the one the server allows."""
    import importlib

    from juesuan.service import server
    serve_cli = importlib.import_module("juesuan.cli.serve")     # (juesuan.cli.serve is also the command's name)

    assert serve_cli.ADDIN_ORIGIN_SHOWN == server.ADDIN_ORIGIN
