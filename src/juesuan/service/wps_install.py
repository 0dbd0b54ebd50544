#!/usr/bin/env python3
"""Install the WPS add-in 决算助手 into a jsaddons folder (standard library only, no network).

    python wps/install.py                 into this user's jsaddons folder
    python wps/install.py --into DIR      into DIR (an offline bundle's staging, a test)
    python wps/install.py --python "C:\\juesuan\\python\\pythonw.exe"   the Python the buttons start the service with
    python wps/install.py --uninstall

Windows: %APPDATA%\\kingsoft\\wps\\jsaddons; Linux (UOS, Kylin, Deepin…):
~/.local/share/Kingsoft/wps/jsaddons. The add-in's files go to <jsaddons>/juesuan_<version>/
and its record into <jsaddons>/publish.xml (other add-ins' records are kept; an older
juesuan record and folder are replaced): the layout `wpsjs build` (offline) produces.
The offline bundle calls `install_addin(jsaddons_dir)`.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
ADDIN_FILES = ("index.html", "ribbon.xml", "js", "images")
NAME = "juesuan"


def addin_version(source: Path = HERE) -> str:
    return json.loads((source / "package.json").read_text(encoding="utf-8"))["version"]


def default_jsaddons_dir() -> Path:
    if sys.platform == "win32":
        return Path(os.environ["APPDATA"]) / "kingsoft" / "wps" / "jsaddons"
    return Path.home() / ".local" / "share" / "Kingsoft" / "wps" / "jsaddons"


def _record(version: str) -> ET.Element:
    template = ET.parse(HERE / "publish.xml").getroot().find("jsplugin")
    record = ET.Element("jsplugin", dict(template.attrib))
    record.set("url", f"{NAME}_{version}")
    record.set("version", version)
    return record


def _publish_xml(jsaddons: Path, version: str | None) -> None:
    """Put our record into publish.xml (None: take it out), keeping every other add-in's."""
    path = jsaddons / "publish.xml"
    root = ET.parse(path).getroot() if path.exists() else ET.Element("jsplugins")
    for old in [e for e in root.findall("jsplugin") if e.get("name") == NAME]:
        root.remove(old)
    if version is not None:
        root.append(_record(version))
    ET.indent(root, "  ")
    data = b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"
    temp = path.with_name(path.name + ".juesuan-tmp")
    temp.write_bytes(data)
    temp.replace(path)            # never a half-written publish.xml: WPS would lose every add-in


def install_addin(jsaddons_dir, source: Path = HERE, python: str | None = None) -> Path:
    """Copy the add-in into `jsaddons_dir` and register it; returns the add-in's folder.
    `python`: the interpreter that has juesuan (e.g. the bundle's pythonw.exe), which the add-in
    starts `-m juesuan.cli serve` with; default pythonw (Windows) / python3 from PATH."""
    jsaddons = Path(jsaddons_dir)
    version = addin_version(source)
    jsaddons.mkdir(parents=True, exist_ok=True)
    for old in jsaddons.glob(f"{NAME}_*"):
        if old.is_dir():
            shutil.rmtree(old)
    target = jsaddons / f"{NAME}_{version}"
    target.mkdir()
    for name in ADDIN_FILES:
        item = source / name
        if item.is_dir():
            shutil.copytree(item, target / name)
        else:
            shutil.copy2(item, target / name)
    if python:
        ribbon = target / "js" / "ribbon.js"
        text = ribbon.read_text(encoding="utf-8")
        if "var JUESUAN_PYTHON = null;" not in text:
            raise OSError(f"{ribbon} lacks the JUESUAN_PYTHON line")
        ribbon.write_text(text.replace("var JUESUAN_PYTHON = null;", f"var JUESUAN_PYTHON = {json.dumps(python)};"),
                          encoding="utf-8")
    _publish_xml(jsaddons, version)
    return target


def uninstall_addin(jsaddons_dir) -> None:
    jsaddons = Path(jsaddons_dir)
    for old in jsaddons.glob(f"{NAME}_*"):
        if old.is_dir():
            shutil.rmtree(old)
    if (jsaddons / "publish.xml").exists():
        _publish_xml(jsaddons, None)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="安装 WPS 表格加载项“决算助手”")
    parser.add_argument("--into", metavar="目录", help="jsaddons 目录（默认：本用户的 WPS jsaddons 目录）")
    parser.add_argument("--python", metavar="程序", help="按钮启动决算服务所用的 Python（默认 Windows 为 pythonw，Linux 为 python3）")
    parser.add_argument("--uninstall", action="store_true", help="卸载")
    args = parser.parse_args(argv)
    jsaddons = Path(args.into) if args.into else default_jsaddons_dir()
    try:
        if args.uninstall:
            uninstall_addin(jsaddons)
            print(f"已从 {jsaddons} 卸载决算助手。")
        else:
            print(f"决算助手已安装到：{install_addin(jsaddons, python=args.python)}\n请重新启动 WPS 表格；首次使用前请运行 juesuan serve --init-token。")
    except (OSError, ET.ParseError) as exc:
        print(f"安装未完成：{jsaddons}（{exc}）", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
