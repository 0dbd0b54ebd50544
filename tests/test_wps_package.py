"""The WPS add-in's package: what `python -m juesuan.service.wps_install` puts into a jsaddons
folder, and that it agrees with wpsjs's offline layout (<name>_<version>/ and a publish.xml
record, type et)."""
import json
import re
import sys
import xml.etree.ElementTree as ET

from conftest import ROOT

import juesuan
from juesuan.service import wps_install as installer

WPS = ROOT / "wps"                                          # the add-in's build and tests
ADDIN = ROOT / "src" / "juesuan" / "service" / "wps_addin"  # its files, package data


def test_install_copies_the_addin_and_registers_it_beside_other_addins(tmp_path):
    jsaddons = tmp_path / "jsaddons"
    jsaddons.mkdir()
    (jsaddons / "publish.xml").write_text('<?xml version="1.0" encoding="UTF-8"?>\n<jsplugins>\n'
                                          '  <jsplugin name="other" type="wps" url="other_1.0" version="1.0"/>\n'
                                          '</jsplugins>\n', encoding="utf-8")
    (jsaddons / "juesuan_0.0.1").mkdir()                         # an older version goes
    folder = installer.install_addin(jsaddons)
    assert folder == jsaddons / "juesuan_0.1.0"
    assert sorted(p.name for p in jsaddons.iterdir()) == ["juesuan_0.1.0", "publish.xml"]
    assert sorted(p.name for p in folder.iterdir()) == ["images", "index.html", "js", "ribbon.xml"]
    assert (folder / "js" / "juesuan.js").read_bytes() == (ADDIN / "js" / "juesuan.js").read_bytes()
    installer.install_addin(jsaddons)                            # again: still one record
    records = ET.parse(jsaddons / "publish.xml").getroot().findall("jsplugin")
    assert [(r.get("name"), r.get("type"), r.get("url")) for r in records] == [
        ("other", "wps", "other_1.0"), ("juesuan", "et", "juesuan_0.1.0")]
    bundled = r"C:\决算\pythonw.exe"                              # the bundle's own Python
    installer.install_addin(jsaddons, python=bundled)
    ribbon = (folder / "js" / "ribbon.js").read_text(encoding="utf-8")
    assert json.loads(re.search(r"var JUESUAN_PYTHON = (\".*\");", ribbon).group(1)) == bundled
    installer.uninstall_addin(jsaddons)
    assert [r.get("name") for r in ET.parse(jsaddons / "publish.xml").getroot()] == ["other"]
    assert not folder.exists()


def test_package_versions_and_the_publish_template_agree():
    package = json.loads((WPS / "package.json").read_text(encoding="utf-8"))
    assert (package["name"], package["addonType"], package["version"]) == ("juesuan", "et", juesuan.__version__)
    (record,) = ET.parse(ADDIN / "publish.xml").getroot().findall("jsplugin")
    assert (record.get("name"), record.get("type"), record.get("url"), record.get("version")) == \
        ("juesuan", "et", f"juesuan_{juesuan.__version__}", juesuan.__version__)
    html = (ADDIN / "index.html").read_text(encoding="utf-8")
    assert re.findall(r'src="([^"]+)"', html) == ["js/juesuan.js", "js/ribbon.js"]


def test_the_addin_names_what_the_service_declares():
    """The add-in is plain JavaScript and cannot import the schema: its copies must agree."""
    from juesuan.domain.schema import SHEET_NAMES
    from juesuan.service.config import DEFAULT_PORT, TOKEN_FILE
    from juesuan.service.server import TOKEN_HEADER
    code = (ADDIN / "js" / "juesuan.js").read_text(encoding="utf-8")
    sheets = re.search(r"var STANDARD_SHEETS = \[([^\]]*)\]", code).group(1)
    assert re.findall(r'"([^"]+)"', sheets) == list(SHEET_NAMES)
    assert re.search(r"var DEFAULT_PORT = (\d+);", code).group(1) == str(DEFAULT_PORT)
    assert re.search(r'var TOKEN_HEADER = "([^"]+)";', code).group(1) == TOKEN_HEADER
    ribbon = (ADDIN / "js" / "ribbon.js").read_text(encoding="utf-8")
    assert ribbon.count(f"juesuan\\\\{TOKEN_FILE}") == 1 and ribbon.count(f"/.config/juesuan/{TOKEN_FILE}") == 1


def test_the_installer_command_points_the_buttons_at_its_own_python_and_leaves_a_broken_record_alone(tmp_path, capsys):
    jsaddons = tmp_path / "jsaddons"
    assert installer.main(["--into", str(jsaddons)]) == 0
    ribbon = (jsaddons / "juesuan_0.1.0" / "js" / "ribbon.js").read_text(encoding="utf-8")
    assert json.loads(re.search(r"var JUESUAN_PYTHON = (\".*\");", ribbon).group(1)) == sys.executable
    assert "已安装到" in capsys.readouterr().out
    assert installer.main(["--into", str(jsaddons), "--uninstall"]) == 0
    assert not (jsaddons / "juesuan_0.1.0").exists()
    broken = b'<?xml version="1.0"?>\n<jsplugins><jsplugin name="other"'        # cut off: not ours to repair
    (jsaddons / "publish.xml").write_bytes(broken)
    assert installer.main(["--into", str(jsaddons)]) == 2
    assert "WPS 加载项未能安装" in capsys.readouterr().err
    assert (jsaddons / "publish.xml").read_bytes() == broken
    assert sorted(p.name for p in jsaddons.iterdir()) == ["publish.xml"]        # stopped before copying
