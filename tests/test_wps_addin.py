"""The WPS add-in's own tests (wps/tests, Node's built-in runner): its code against a fake ET
Application and the real `juesuan serve`, compared with the command line. Run here so that
the README's test command (and .ci/run) runs them too."""
import os
import re
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT

NODE = shutil.which("node") or shutil.which("nodejs")


def _node_major() -> int:
    out = subprocess.run([NODE, "--version"], capture_output=True, text=True, timeout=30).stdout
    found = re.match(r"v(\d+)", out.strip())
    return int(found.group(1)) if found else 0


@pytest.mark.skipif(NODE is None, reason="Node.js not installed (apt-get install nodejs): the WPS add-in's tests need it")
def test_wps_addin_node_tests_pass():
    if _node_major() < 18:
        pytest.skip("Node.js 18 or later needed (node:test and fetch)")
    env = dict(os.environ, JUESUAN_PYTHON=sys.executable,
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])))
    run = subprocess.run([NODE, "--test", "wps/tests/addin.test.js"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert re.search(r"^# pass [1-9]", run.stdout, re.M) and re.search(r"^# fail 0$", run.stdout, re.M)
