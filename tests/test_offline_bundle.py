"""scripts/offline_bundle.py: the folder a PC without internet installs juesuan from.

Building a bundle downloads wheels from the package index (pip's own configuration): when
the index cannot be reached the tests skip, saying so. One bundle per platform per session.
"""
from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import venv
import xml.etree.ElementTree as ET
import zipfile
from email.parser import BytesParser
from pathlib import Path

import pytest
from conftest import ROOT, sample_path
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename

sys.path.insert(0, str(ROOT / "scripts"))
import offline_bundle  # noqa: E402

ADDIN = ROOT / "src" / "juesuan" / "service" / "wps_addin"    # the WPS add-in, package data of the wheel
VERSION = re.search(r'^version = "(.+)"$', (ROOT / "pyproject.toml").read_text(encoding="utf-8"), re.M).group(1)
# What pip evaluates the markers of Windows 64-bit CPython 3.11 with (PEP 508 names), written out by hand
WINDOWS_311 = {"sys_platform": "win32", "platform_system": "Windows", "os_name": "nt", "platform_machine": "AMD64",
               "python_version": "3.11", "python_full_version": "3.11.9", "implementation_name": "cpython",
               "platform_python_implementation": "CPython", "platform_release": "10", "platform_version": "10.0",
               "implementation_version": "3.11.9"}


def _index_reachable(folder: Path) -> str | None:
    """None when pip can download from its index, else why not (the tests skip with it)."""
    done = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                           "--dest", str(folder), "--disable-pip-version-check", "--timeout", "15", "--retries", "1",
                           "defusedxml==0.7.1"], capture_output=True, text=True)
    return None if done.returncode == 0 else "package index (PyPI) unreachable: " + done.stderr.strip()[-200:]


@pytest.fixture(scope="session")
def index(tmp_path_factory):
    reason = _index_reachable(tmp_path_factory.mktemp("probe"))
    if reason:
        pytest.skip(reason)


@pytest.fixture(scope="session")
def windows_bundle(index, tmp_path_factory) -> Path:
    return offline_bundle.build_bundle(tmp_path_factory.mktemp("win") / "决算助手离线安装包", "win_amd64", "3.11")


@pytest.fixture(scope="session")
def native_bundle(index, tmp_path_factory) -> Path:
    return offline_bundle.build_bundle(tmp_path_factory.mktemp("native") / "bundle", make_zip=False)


# --- the bundle for this machine installs with no index --------------------------------------------
def test_a_fresh_venv_installs_from_the_native_bundle_with_no_index_and_runs(native_bundle, tmp_path):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    bin_dir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL")}
    installed = subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "--no-index", "--find-links",
                                str(native_bundle / "wheels"), "juesuan[excel,narrate]"], capture_output=True, text=True, env=clean)
    assert installed.returncode == 0, installed.stderr
    version = subprocess.run([str(bin_dir / "juesuan"), "--version"], capture_output=True, text=True, env=clean)
    assert version.returncode == 0 and version.stdout.strip() == f"juesuan {VERSION}"
    where = subprocess.run([str(bin_dir / "python"), "-c", "import juesuan, xlwings, docx, matplotlib; print(juesuan.__file__)"],
                           capture_output=True, text=True, env=clean)
    assert Path(where.stdout.strip()).is_relative_to(env_dir)          # the venv's copy, not this checkout
    checked = subprocess.run([str(bin_dir / "juesuan"), "check", str(sample_path("jinan_lixia_2023"))],
                             capture_output=True, text=True, env=clean)
    assert checked.returncode == 0, checked.stdout + checked.stderr    # the catalogue CSVs travelled in the wheel


# --- the Windows bundle --------------------------------------------------------------------------
def _requires(wheel: Path) -> list[Requirement]:
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA") and n.count("/") == 1)
        return [Requirement(r) for r in BytesParser().parsebytes(archive.read(name)).get_all("Requires-Dist") or []]


def test_the_windows_bundle_holds_a_windows_or_pure_wheel_for_every_dependency_and_no_other(windows_bundle):
    wheels = {}
    for path in (windows_bundle / "wheels").iterdir():
        name, version, _build, tags = parse_wheel_filename(path.name)
        assert {t.platform for t in tags} <= {"win_amd64", "any"}, path.name
        assert any(t.interpreter in ("py3", "cp311") for t in tags), path.name
        wheels[name] = (path, version)
    # by hand: juesuan's four, xlwings (excel extra), openpyxl's et-xmlfile, xlwings' pywin32 on Windows,
    # the narrate extra's python-docx and matplotlib with their lxml, numpy and pillow
    assert {"juesuan", "openpyxl", "et-xmlfile", "click", "defusedxml", "python-calamine", "xlwings", "pywin32",
            "python-docx", "lxml", "matplotlib", "numpy", "pillow"} <= set(wheels)
    assert "psutil" not in wheels and "appscript" not in wheels                   # xlwings needs them on macOS only
    pending, seen = [("juesuan", "excel"), ("juesuan", "narrate"), ("juesuan", "")], set()
    while pending:
        name, extra = pending.pop()
        if (name, extra) in seen:
            continue
        seen.add((name, extra))
        for requirement in _requires(wheels[name][0]):
            if requirement.marker and not requirement.marker.evaluate({**WINDOWS_311, "extra": extra}):
                continue
            wanted = canonicalize_name(requirement.name)
            assert wanted in wheels, f"{name} needs {requirement} on Windows: no wheel"
            assert requirement.specifier.contains(wheels[wanted][1], prereleases=True), str(requirement)
            pending += [(wanted, "")] + [(wanted, e) for e in requirement.extras]


def test_the_windows_bundle_ships_the_add_in_templates_and_an_install_script_cmd_can_read(windows_bundle):
    for name in ("juesuan.xlam", "standard.xlsm", "standard.xlsx"):
        assert (windows_bundle / name).read_bytes() == (ROOT / "xlsx_templates" / name).read_bytes()
    for name in ("安装.bat", "卸载.bat"):
        data = (windows_bundle / name).read_bytes()
        assert data.count(b"\n") == data.count(b"\r\n") > 0                      # CRLF only
        text = data.decode("gbk")                                                # GBK (code page 936)
        first_chinese = next(i for i, ch in enumerate(text) if ord(ch) > 127)
        assert "chcp 936" in text[:first_chinese]                                # set before any Chinese is read
        assert not _dbcs_trail_bytes_cmd_treats_specially(data), name
    install = (windows_bundle / "安装.bat").read_bytes().decode("gbk")
    assert '--no-index --find-links "%~dp0wheels"' in install and '"juesuan[excel,narrate]"' in install
    assert 'addin install -f "%~dp0juesuan.xlam"' in install and "config create --force" in install
    # the WPS add-in and the service token, with the Python juesuan went into (the .bat cannot run here)
    assert '"%PYEXE%" -m juesuan.cli serve --init-token' in install
    assert '"%PYEXE%" -m juesuan.service.wps_install\n' in install.replace("\r\n", "\n")
    uninstall = (windows_bundle / "卸载.bat").read_bytes().decode("gbk")
    assert '"%PYEXE%" -m juesuan.service.wps_install --uninstall' in uninstall
    assert r'del "%APPDATA%\juesuan\service-token"' in uninstall
    notes = (windows_bundle / "安装说明.txt").read_bytes()
    assert notes.startswith(b"\xef\xbb\xbf") and notes.count(b"\n") == notes.count(b"\r\n")
    text = notes.decode("utf-8-sig")
    for needed in ("Python 3.11", "64 位", "安装.bat", "py -3.11 -m juesuan.cli --version", "卸载", "WPS",
                   r"%APPDATA%\kingsoft\wps\jsaddons\juesuan_" + VERSION, "py -3.11 -m juesuan.service.wps_install"):
        assert needed in text, needed
    archive = windows_bundle.with_suffix(".zip")
    with zipfile.ZipFile(archive) as packed:
        names = set(packed.namelist())
    assert f"{windows_bundle.name}/安装.bat" in names and f"{windows_bundle.name}/juesuan.xlam" in names
    assert sum(n.startswith(f"{windows_bundle.name}/wheels/") and n.endswith(".whl") for n in names) == \
        len(list((windows_bundle / "wheels").iterdir()))


def test_the_windows_bundle_carries_the_wps_add_in_inside_juesuans_wheel(windows_bundle):
    (wheel,) = (windows_bundle / "wheels").glob("juesuan-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        packed = {n.removeprefix("juesuan/service/wps_addin/"): archive.read(n) for n in archive.namelist()
                  if n.startswith("juesuan/service/wps_addin/")}
        assert "juesuan/service/wps_install.py" in archive.namelist()
    # what the installer copies (index.html, ribbon.xml, js/, images/) and the publish.xml record
    expected = {"index.html", "ribbon.xml", "publish.xml", "js/juesuan.js", "js/ribbon.js", *(
        f"images/{name}.svg" for name in ("btnCheck", "btnFill", "btnPublish", "btnNarrate", "btnClear"))}
    assert expected <= set(packed)
    for name, data in packed.items():
        assert data == (ADDIN / name).read_bytes(), name


def _dbcs_trail_bytes_cmd_treats_specially(data: bytes) -> list[bytes]:
    """GBK characters whose second byte is | ^ \\ or " (harmless in code page 936, but a reason to
    rephrase: on a PC where chcp 936 fails they would split a command)."""
    found, i = [], 0
    while i < len(data):
        if data[i] >= 0x81:
            if data[i + 1:i + 2] in (b"|", b"^", b"\\", b'"'):
                found.append(data[i:i + 2])
            i += 2
        else:
            i += 1
    return found


def test_an_output_folder_that_is_not_empty_is_refused_and_left_alone(tmp_path):
    (tmp_path / "old.txt").write_text("keep", encoding="utf-8")
    assert offline_bundle.main(["-o", str(tmp_path)]) == 2
    assert [p.name for p in tmp_path.iterdir()] == ["old.txt"]


# --- Linux (统信 UOS, 麒麟): 安装.sh / 卸载.sh ----------------------------------------------------
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the .sh bundle is made on Linux")
def test_install_sh_installs_juesuan_the_wps_add_in_and_the_token_with_no_index_and_uninstall_sh_removes_them(
        native_bundle, tmp_path):
    home = tmp_path / "家"
    jsaddons = home / ".local" / "share" / "Kingsoft" / "wps" / "jsaddons"
    jsaddons.mkdir(parents=True)
    other = '<?xml version="1.0" encoding="UTF-8"?>\n<jsplugins>\n  <jsplugin name="other" type="wps" url="other_1.0"/>\n</jsplugins>\n'
    (jsaddons / "publish.xml").write_text(other, encoding="utf-8")     # another add-in's record: kept
    for script in ("安装.sh", "卸载.sh"):
        data = (native_bundle / script).read_bytes()
        assert data.startswith(b"#!/bin/sh\n") and b"\r" not in data
        data.decode("utf-8")
    # a clean environment: this Python first on PATH (安装.sh looks for python3.x there), an index
    # that cannot answer (the script must not need one), nothing of this checkout on the path
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PIP_", "XDG_", "PYTHON", "JUESUAN_", "VIRTUAL_ENV"))}
    env.update(HOME=str(home), PATH=os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
               PIP_INDEX_URL="http://127.0.0.1:9/simple")
    installed = subprocess.run(["sh", str(native_bundle / "安装.sh")], capture_output=True, text=True, env=env)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert "安装完成" in installed.stdout and "WPS 加载项“决算助手”已安装到" in installed.stdout

    venv_dir = home / ".local" / "share" / "juesuan" / "venv"
    version = subprocess.run([str(venv_dir / "bin" / "juesuan"), "--version"], capture_output=True, text=True, env=env)
    assert version.stdout.strip() == f"juesuan {VERSION}"
    where = subprocess.run([str(venv_dir / "bin" / "python"), "-c", "import juesuan, docx, matplotlib; print(juesuan.__file__)"],
                           capture_output=True, text=True, env=env)
    assert Path(where.stdout.strip()).is_relative_to(venv_dir)         # the venv's copy, not this checkout
    assert os.readlink(home / ".local" / "bin" / "juesuan") == str(venv_dir / "bin" / "juesuan")

    folder = jsaddons / f"juesuan_{VERSION}"
    assert sorted(p.name for p in folder.iterdir()) == ["images", "index.html", "js", "ribbon.xml"]
    assert (folder / "js" / "juesuan.js").read_bytes() == (ADDIN / "js" / "juesuan.js").read_bytes()
    records = ET.parse(jsaddons / "publish.xml").getroot().findall("jsplugin")
    assert [(r.get("name"), r.get("type"), r.get("url"), r.get("version")) for r in records] == [
        ("other", "wps", "other_1.0", None), ("juesuan", "et", f"juesuan_{VERSION}", VERSION)]
    ribbon = (folder / "js" / "ribbon.js").read_text(encoding="utf-8")
    started_with = re.search(r"var JUESUAN_PYTHON = (\".*\");", ribbon).group(1)    # a JSON string (\\u escapes)
    assert json.loads(started_with) == str(venv_dir / "bin" / "python")         # the buttons start the venv's service
    token = home / ".config" / "juesuan" / "service-token"
    assert len(token.read_text(encoding="ascii").strip()) == 43                 # 32 random bytes, base64url
    assert stat.S_IMODE(token.stat().st_mode) == 0o600

    removed = subprocess.run(["sh", str(native_bundle / "卸载.sh")], capture_output=True, text=True, env=env)
    assert removed.returncode == 0, removed.stdout + removed.stderr
    assert not venv_dir.exists() and not token.exists() and not folder.exists()
    assert not (home / ".local" / "bin" / "juesuan").is_symlink()
    assert [r.get("name") for r in ET.parse(jsaddons / "publish.xml").getroot()] == ["other"]


def test_a_bundle_for_kylin_on_arm_holds_pure_or_aarch64_wheels_pip_and_the_sh_scripts(index, tmp_path):
    # Python 3.10, our minimum: python-calamine 0.9 has no 3.10 wheels, the pin's range admits 0.8 there
    bundle = offline_bundle.build_bundle(tmp_path / "麒麟ARM", "manylinux_2_28_aarch64", "3.10", make_zip=False)
    names = {}
    for path in (bundle / "wheels").iterdir():
        name, _version, _build, tags = parse_wheel_filename(path.name)
        assert all(t.platform == "any" or t.platform.endswith("_aarch64") for t in tags), path.name
        names[name] = path
    # by hand: juesuan's four, openpyxl's et-xmlfile, pip for the venv made --without-pip; the narrate extra's
    # python-docx (lxml, typing-extensions) and matplotlib (numpy, pillow, fonttools, contourpy, kiwisolver,
    # cycler, packaging, pyparsing, python-dateutil); no xlwings (no Excel)
    assert {"juesuan", "openpyxl", "et-xmlfile", "click", "defusedxml", "python-calamine", "pip",
            "python-docx", "lxml", "typing-extensions", "matplotlib", "numpy", "pillow", "fonttools", "contourpy",
            "kiwisolver", "cycler", "packaging", "pyparsing", "python-dateutil"} <= set(names)
    assert "xlwings" not in names and "pywin32" not in names
    assert sorted(p.name for p in bundle.iterdir()) == ["standard.xlsx", "wheels", "卸载.sh", "安装.sh", "安装说明.txt"]
    assert os.access(bundle / "安装.sh", os.X_OK)
    notes = (bundle / "安装说明.txt").read_text(encoding="utf-8")
    for needed in ("sh 安装.sh", "sh 卸载.sh", "~/.local/share/Kingsoft/wps/jsaddons/juesuan_" + VERSION,
                   "juesuan --version", "Python 3.11", "juesuan narrate"):
        assert needed in notes, needed
