"""Install the WPS add-in 决算助手 into a jsaddons folder (no network).

    python -m juesuan.service.wps_install                 into this user's jsaddons folder
    python -m juesuan.service.wps_install --into DIR      into DIR (a test, a shared profile)
    python -m juesuan.service.wps_install --python P      the Python the buttons start the service with
    python -m juesuan.service.wps_install --uninstall

The add-in's files are package data (service/wps_addin/), so any installed juesuan can install
its own add-in: the offline bundle's 安装.bat / 安装.sh run this module with the Python they
installed juesuan into, which then becomes the one the buttons start `juesuan serve` with.

Windows: %APPDATA%\\kingsoft\\wps\\jsaddons; Linux (UOS, Kylin, Deepin…):
~/.local/share/Kingsoft/wps/jsaddons. The add-in's files go to <jsaddons>/juesuan_<version>/
and its record into <jsaddons>/publish.xml (other add-ins' records are kept; an older
juesuan record and folder are replaced): the layout `wpsjs build` (offline) produces.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from ..domain.errors import WriteRefused
from ..io.atomic import write_atomically

ADDIN = Path(__file__).resolve().parent / "wps_addin"
ADDIN_FILES = ("index.html", "ribbon.xml", "js", "images")
NAME = "juesuan"
PYTHON_LINE = "var JUESUAN_PYTHON = null;"        # js/ribbon.js: null means pythonw / python3 from PATH


def addin_version(source: Path = ADDIN) -> str:
    return _template(source).get("version")


def default_jsaddons_dir() -> Path:
    if sys.platform == "win32":
        return Path(os.environ["APPDATA"]) / "kingsoft" / "wps" / "jsaddons"
    return Path.home() / ".local" / "share" / "Kingsoft" / "wps" / "jsaddons"


def this_python() -> str:
    """The interpreter running this module (it has juesuan); on Windows its windowless twin
    pythonw.exe, so that starting the service opens no console window."""
    here = Path(sys.executable)
    windowless = here.with_name("pythonw.exe")
    return str(windowless if sys.platform == "win32" and windowless.is_file() else here)


def _template(source: Path) -> ET.Element:
    return SafeET.parse(source / "publish.xml").getroot().find("jsplugin")


def _publish_xml(jsaddons: Path, source: Path, version: str | None) -> bytes:
    """publish.xml with our record put in (None: taken out), every other add-in's kept.
    Raises on a publish.xml we cannot read, before anything is changed."""
    path = jsaddons / "publish.xml"
    root = SafeET.parse(path).getroot() if path.exists() else ET.Element("jsplugins")
    for old in [e for e in root.findall("jsplugin") if e.get("name") == NAME]:
        root.remove(old)
    if version is not None:
        record = ET.Element("jsplugin", dict(_template(source).attrib))
        record.set("url", f"{NAME}_{version}")
        record.set("version", version)
        root.append(record)
    if len(root) == 0:
        root.text = None          # the whitespace that stood between the records we took out
    ET.indent(root, "  ")
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"


def _write_publish_xml(jsaddons: Path, data: bytes) -> None:
    write_atomically(jsaddons / "publish.xml", data)     # half-written, WPS would lose every add-in


def install_addin(jsaddons_dir, source: Path = ADDIN, python: str | None = None) -> Path:
    """Copy the add-in into `jsaddons_dir` and register it; returns the add-in's folder.
    `python`: the interpreter that has juesuan (e.g. the bundle's venv), which the add-in
    starts `-m juesuan.cli serve` with; None leaves pythonw (Windows) / python3 from PATH."""
    jsaddons = Path(jsaddons_dir)
    version = addin_version(source)
    record = _publish_xml(jsaddons, source, version)         # an unreadable publish.xml stops us here
    jsaddons.mkdir(parents=True, exist_ok=True)
    _remove_our_folders(jsaddons)
    target = jsaddons / f"{NAME}_{version}"
    target.mkdir()
    for name in ADDIN_FILES:
        item = source / name
        if item.is_dir():
            shutil.copytree(item, target / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(item, target / name)
    if python:
        ribbon = target / "js" / "ribbon.js"
        text = ribbon.read_text(encoding="utf-8")
        if PYTHON_LINE not in text:
            raise OSError(f"{ribbon} lacks the JUESUAN_PYTHON line")
        ribbon.write_text(text.replace(PYTHON_LINE, f"var JUESUAN_PYTHON = {json.dumps(python)};"), encoding="utf-8")
    _write_publish_xml(jsaddons, record)
    return target


def uninstall_addin(jsaddons_dir, source: Path = ADDIN) -> None:
    jsaddons = Path(jsaddons_dir)
    record = _publish_xml(jsaddons, source, None) if (jsaddons / "publish.xml").exists() else None
    _remove_our_folders(jsaddons)
    if record is not None:
        _write_publish_xml(jsaddons, record)


def _remove_our_folders(jsaddons: Path) -> None:
    for old in jsaddons.glob(f"{NAME}_*"):
        if old.is_dir():
            shutil.rmtree(old)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m juesuan.service.wps_install",
                                     description="安装（或卸载）WPS 表格加载项“决算助手”")
    parser.add_argument("--into", metavar="目录", help="jsaddons 目录（默认：本用户的 WPS jsaddons 目录）")
    parser.add_argument("--python", metavar="程序",
                        help="按钮启动决算服务所用的 Python（默认：运行本命令的 Python）")
    parser.add_argument("--uninstall", action="store_true", help="卸载")
    args = parser.parse_args(argv)
    jsaddons = Path(args.into) if args.into else default_jsaddons_dir()
    try:
        if args.uninstall:
            uninstall_addin(jsaddons)
            print(f"已从 {jsaddons} 卸载 WPS 加载项“决算助手”。")
        else:
            folder = install_addin(jsaddons, python=args.python or this_python())
            print(f"WPS 加载项“决算助手”已安装到：{folder}\n重新启动 WPS 表格后，功能区出现“决算助手”选项卡。")
    except (OSError, ET.ParseError, DefusedXmlException, WriteRefused) as exc:
        print(f"WPS 加载项未能{'卸载' if args.uninstall else '安装'}：{jsaddons}（{exc}）", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
