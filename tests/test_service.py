"""`juesuan serve`: the local service the WPS add-in calls (service/, docs/wps.md).

The guards (token, Host, origin, size cap) and each operation against the command line on
every sample and broken sample: the request is what the add-in reads from the open book
(support/wps_client.py), the returned edit list is applied to the same file with openpyxl as
ET applies it, and the result is compared with what `check --write` / `fill` make of the file.
"""
import http.client
import json
import os
import shutil
import subprocess
import sys
import threading
from datetime import datetime

import openpyxl
import pytest
import support.xlwings_replay as replay
import support.wps_client as client
from conftest import ROOT, SAMPLES

from juesuan.domain.catalog import load_catalog
from juesuan.domain.schema import REVIEW_SHEET
from juesuan.ops import check_book, fill_book, save_review
from juesuan.service.server import MAX_REQUEST_BYTES, TOKEN_HEADER, Settings, make_server

CATALOG = load_catalog()
TOKEN = "test-token-0123456789"
WHEN = datetime(2024, 1, 1, 9, 0, 0)
BOOKS = sorted(SAMPLES.glob("*.xlsx")) + sorted((SAMPLES / "broken").glob("*.xlsx"))


@pytest.fixture(scope="module")
def service():
    server = make_server(Settings(TOKEN, CATALOG, max_bytes=MAX_REQUEST_BYTES), 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    server.server_close()


def call(port, method, path, body=None, headers=None, token=TOKEN, raw=None):
    """(status, headers, JSON or None) of one request."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    sent = {"Content-Type": "application/json"}
    if token is not None:
        sent[TOKEN_HEADER] = token
    sent.update(headers or {})
    data = raw if raw is not None else (json.dumps(body, ensure_ascii=False).encode("utf-8") if body is not None else None)
    connection.request(method, path, body=data, headers=sent)
    answer = connection.getresponse()
    content = answer.read()
    connection.close()
    return answer.status, answer.headers, json.loads(content) if content else None


def operate(port, operation, path, with_path=False, workbook=None):
    """One button press as the add-in makes it: the request, then again with the fills asked for.
    `workbook`: the file at `path` already loaded (data_only), to spare a load."""
    workbook = workbook or openpyxl.load_workbook(path, data_only=True)
    request = client.request_from_file(path, with_path, workbook)
    status, _headers, answer = call(port, "POST", f"/api/{operation}", request)
    assert status == 200, answer
    if answer.get("need_fills"):
        request["fills"] = client.fills_for(path, answer["need_fills"], workbook)
        status, _headers, answer = call(port, "POST", f"/api/{operation}", request)
        assert status == 200 and "need_fills" not in answer, answer
    return answer


def applied(path, answer):
    workbook = openpyxl.load_workbook(path)
    client.apply_steps(workbook, answer["edits"])
    return workbook


def copies(tmp_path, source):
    cli, wps = tmp_path / f"cli-{source.name}", tmp_path / f"wps-{source.name}"
    shutil.copy(source, cli)
    shutil.copy(source, wps)
    return cli, wps


# --- the guards -------------------------------------------------------------------------
def test_a_request_without_the_token_or_with_another_is_refused_in_chinese(service):
    for token in (None, "", "wrong-token"):
        status, _h, answer = call(service, "GET", "/health", token=token)
        assert status == 401 and answer["ok"] is False and "访问令牌" in answer["error"]
        status, _h, answer = call(service, "POST", "/api/check", {"book": {"name": "x"}}, token=token)
        assert status == 401
    status, _h, answer = call(service, "GET", "/health")
    assert status == 200 and answer["service"] == "juesuan" and "check" in answer["operations"]


def test_only_the_addin_origin_gets_cors_and_others_are_refused(service):
    status, headers, _answer = call(service, "GET", "/health", headers={"Origin": "null"})
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "null"
    status, headers, answer = call(service, "GET", "/health", headers={"Origin": "https://evil.example"})
    assert status == 403 and "Access-Control-Allow-Origin" not in headers and "来源" in answer["error"]
    status, headers, _ = call(service, "OPTIONS", "/api/check", token=None,
                              headers={"Origin": "null", "Access-Control-Request-Method": "POST"})
    assert status == 204 and TOKEN_HEADER in headers["Access-Control-Allow-Headers"]
    status, headers, _ = call(service, "OPTIONS", "/api/check", token=None,
                              headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert status == 403 and "Access-Control-Allow-Origin" not in headers


def test_a_host_other_than_this_machine_is_refused(service):
    """DNS rebinding: a page of evil.example resolved to 127.0.0.1 still says Host: evil.example."""
    status, _h, answer = call(service, "GET", "/health", headers={"Host": f"evil.example:{service}"})
    assert status == 403 and "127.0.0.1" in answer["error"]


def test_an_oversized_request_gets_413_in_chinese_before_it_is_read():
    server = make_server(Settings(TOKEN, CATALOG, max_bytes=1024), 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        status, _h, answer = call(server.server_port, "POST", "/api/check", raw=b"x" * 1025)
        assert status == 413 and "请求内容过大" in answer["error"] and "1024" in answer["error"]
        status, _h, answer = call(server.server_port, "POST", "/api/check", raw=b"[" + b" " * 1022 + b"]")
        assert status == 400                                   # 1024 bytes pass the cap (and are no request)
    finally:
        server.shutdown()
        server.server_close()


def test_malformed_requests_get_chinese_messages_naming_the_place(service):
    status, _h, answer = call(service, "POST", "/api/check", raw=b"{not json")
    assert status == 400 and "JSON" in answer["error"]
    bad = {"book": {"name": "a.xlsx"}, "sheets": [{"name": "公开01", "values": [[1, {"x": 1}]]}]}
    status, _h, answer = call(service, "POST", "/api/check", bad)
    assert status == 400 and "工作表“公开01”B1" in answer["error"]
    merged = {"book": {"name": "a.xlsx"}, "sheets": [{"name": "公开05", "values": [[1]], "merged": ["C7;C8"]}]}
    status, _h, answer = call(service, "POST", "/api/fill", merged)
    assert status == 400 and "工作表“公开05”的 merged" in answer["error"]
    other = {"book": {"name": "工资表.xlsx"}, "sheets": [{"name": "Sheet1", "values": [["姓名"]]}]}
    status, _h, answer = call(service, "POST", "/api/check", other)
    assert status == 422 and "不是决算公开标准工作簿" in answer["error"]
    status, _h, answer = call(service, "POST", "/api/narrate", other)
    assert status == 422 and "不是决算公开标准工作簿" in answer["error"]
    status, _h, answer = call(service, "POST", "/api/unknown", other)
    assert status == 404


# --- each operation equals the command line ------------------------------------------------
@pytest.mark.parametrize("source", BOOKS, ids=lambda p: p.stem)
def test_check_and_fill_equal_the_cli(service, tmp_path, source):
    """审核 equals `check --write`, 填充计算 equals `fill`: same findings, same sheets after the edits."""
    cli, wps = copies(tmp_path, source)
    loaded = openpyxl.load_workbook(source, data_only=True)       # what the add-in reads, for both presses
    result = check_book(cli, CATALOG)
    save_review(result, cli, when=WHEN)
    answer = operate(service, "check", wps, workbook=loaded)
    assert answer["findings"] == [f.to_json() for f in result.findings]
    assert answer["summary"] == result.summary
    assert replay.compare_reviews(cli, applied(wps, answer)) == []
    assert answer["message"].startswith(f"审核完成：错误 {result.summary['error']} 条")

    shutil.copy(source, cli)
    filled, result = fill_book(cli, CATALOG, when=WHEN)
    answer = operate(service, "fill", wps, workbook=loaded)
    assert answer["changed"] == len(filled.changes)
    assert answer["inserted"] == [{"table": i.table, "row": i.row, "code": i.code, "name": i.name}
                                  for i in result.inserted]
    assert answer["findings"] == [f.to_json() for f in result.findings]
    assert replay.compare_reviews(cli, applied(wps, answer)) == []


def test_fill_inserts_the_missing_kuan(service, tmp_path):
    """item_without_kuan: 公开03 lacks 20105 统计信息事务 above 2010599 (samples/broken/README.md)."""
    answer = operate(service, "fill", SAMPLES / "broken" / "item_without_kuan.xlsx")
    (inserted,) = answer["inserted"]
    assert (inserted["table"], inserted["code"], inserted["name"]) == ("公开03", "20105", "统计信息事务")
    assert [s["op"] for s in answer["edits"]][:3] == ["insert_row", "number_format", "values"]


def test_second_check_keeps_notes_and_clear_puts_every_fill_back(service, tmp_path):
    source = SAMPLES / "broken" / "text_in_amount.xlsx"
    cli, wps = copies(tmp_path, source)
    save_review(check_book(cli, CATALOG), cli, when=WHEN)
    applied(wps, operate(service, "check", wps)).save(wps)
    for path in (cli, wps):
        wb = openpyxl.load_workbook(path)
        wb[REVIEW_SHEET]["J7"] = "已核实"
        wb.save(path)
    save_review(check_book(cli, CATALOG), cli, when=WHEN)
    answer = operate(service, "check", wps)
    assert "need_fills" not in answer
    again = applied(wps, answer)
    assert replay.compare_reviews(cli, again) == []
    again.save(wps)
    answer = operate(service, "clear", wps)
    assert answer["message"].startswith(f"已清除 {answer['restored']} 个单元格的审核标记")
    cleared = applied(wps, answer)
    original = openpyxl.load_workbook(source)
    for name in original.sheetnames:
        if name != REVIEW_SHEET:
            for row in original[name].iter_rows():
                for cell in row:
                    assert replay.fill_key(cell) == replay.fill_key(cleared[name][cell.coordinate]), cell.coordinate
    cleared.save(wps)
    assert operate(service, "clear", wps)["message"] == "没有需要清除的标记。"


def test_publish_writes_next_to_the_book_like_juesuan_publish(service, tmp_path):
    from click.testing import CliRunner

    from juesuan.cli import main
    source = tmp_path / "单位.xlsx"
    shutil.copy(SAMPLES / "liaocheng_bjb_2024.xlsx", source)
    cli_out = tmp_path / "cli.xlsx"
    assert CliRunner().invoke(main, ["publish", str(source), "-o", str(cli_out)]).exit_code == 0
    answer = operate(service, "publish", source, with_path=True)
    assert answer["output"] == str(tmp_path / "单位-公开表.xlsx")
    assert answer["message"].startswith("公开表已生成：") and answer["edits"] == []
    a, b = openpyxl.load_workbook(cli_out), openpyxl.load_workbook(answer["output"])
    assert a.sheetnames == b.sheetnames
    for name in a.sheetnames:
        assert [[c.value for c in r] for r in a[name].iter_rows()] == [[c.value for c in r] for r in b[name].iter_rows()]


def test_publish_is_refused_with_errors_and_without_a_folder(service, tmp_path):
    broken = tmp_path / "total_typed_wrong.xlsx"
    shutil.copy(SAMPLES / "broken" / "total_typed_wrong.xlsx", broken)
    answer = operate(service, "publish", broken, with_path=True)
    assert answer["output"] is None and answer["message"].startswith("审核发现 3 条错误，不能生成公开表")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["total_typed_wrong.xlsx"]
    request = client.request_from_file(SAMPLES / "liaocheng_bjb_2024.xlsx")        # an unsaved book: no path
    status, _h, answer = call(service, "POST", "/api/publish", request)
    assert status == 422 and "请先“另存为”" in answer["error"]


def test_narrate_writes_next_to_the_book_what_juesuan_narrate_writes(service, tmp_path):
    docx = pytest.importorskip("docx")
    pytest.importorskip("matplotlib")
    from click.testing import CliRunner

    from juesuan.cli import main
    source = tmp_path / "单位.xlsx"
    shutil.copy(SAMPLES / "zibo_zhangdian_2024.xlsx", source)
    cli_out = tmp_path / "cli.docx"
    assert CliRunner().invoke(main, ["narrate", str(source), "-o", str(cli_out)]).exit_code == 0
    answer = operate(service, "narrate", source, with_path=True)
    assert answer["output"] == str(tmp_path / "单位-情况说明.docx") and answer["placeholders"] == 0
    assert answer["message"] == f"情况说明已生成：\n{answer['output']}\n没有【待填写】的内容；公开前请通读核对。"
    assert answer["mode"] == "info" and answer["edits"] == []
    cli_doc, wps_doc = docx.Document(str(cli_out)), docx.Document(answer["output"])
    assert [p.text for p in wps_doc.paragraphs] == [p.text for p in cli_doc.paragraphs]
    assert wps_doc.paragraphs[0].text == "2024年度单位决算情况说明" and len(wps_doc.inline_shapes) == 6


def test_narrate_is_refused_with_errors_and_without_a_folder(service, tmp_path):
    broken = tmp_path / "total_typed_wrong.xlsx"
    shutil.copy(SAMPLES / "broken" / "total_typed_wrong.xlsx", broken)
    answer = operate(service, "narrate", broken, with_path=True)
    assert answer["output"] is None and answer["mode"] == "critical"
    assert answer["message"].startswith("审核发现 3 条错误，不能生成情况说明")
    request = client.request_from_file(SAMPLES / "liaocheng_bjb_2024.xlsx")        # an unsaved book: no path
    status, _h, answer = call(service, "POST", "/api/narrate", request)
    assert status == 200 and answer["output"] is None and "请先“另存为”" in answer["message"]
    request["book"]["path"] = str(tmp_path / "单位.docx")        # not a workbook's path: nothing written beside it
    status, _h, answer = call(service, "POST", "/api/narrate", request)
    assert status == 200 and answer["output"] is None and "请先“另存为”" in answer["message"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["total_typed_wrong.xlsx"]


# --- the command ------------------------------------------------------------------------------
def test_serve_creates_a_private_token_answers_health_and_stops(tmp_path):
    env = dict(os.environ, JUESUAN_CONFIG_DIR=str(tmp_path / "config"), PYTHONPATH=str(ROOT / "src"))
    made = subprocess.run([sys.executable, "-m", "juesuan.cli", "serve", "--init-token"], env=env,
                          capture_output=True, text=True, timeout=60)
    token_file = tmp_path / "config" / "service-token"
    assert made.returncode == 0 and str(token_file) in made.stdout
    token = token_file.read_text().strip()
    assert len(token) >= 40 and (os.name == "nt" or token_file.stat().st_mode & 0o077 == 0)
    server = subprocess.Popen([sys.executable, "-m", "juesuan.cli", "serve", "--port", "0"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline()
        assert line.startswith("决算服务已启动：http://127.0.0.1:")
        port = int(line.split("127.0.0.1:")[1].split()[0])
        status, _h, answer = call(port, "GET", "/health", token=token)
        assert status == 200 and answer["ok"]
        stopped = subprocess.run([sys.executable, "-m", "juesuan.cli", "serve", "--stop", "--port", str(port)],
                                 env=env, capture_output=True, text=True, timeout=60)
        assert stopped.returncode == 0 and "已停止" in stopped.stdout
        assert server.wait(timeout=30) == 0
        assert token_file.read_text().strip() == token            # a restart keeps the token the add-in knows
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    nothing = subprocess.run([sys.executable, "-m", "juesuan.cli", "serve", "--stop", "--port", str(port)],
                             env=env, capture_output=True, text=True, timeout=60)
    assert nothing.returncode == 1 and "没有正在运行的决算服务" in nothing.stderr


def test_an_unexpected_error_is_a_chinese_500_and_a_log(tmp_path, monkeypatch):
    """A catalogue that is not one breaks the audit inside the service: the clerk gets a message."""
    import tempfile
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    server = make_server(Settings(TOKEN, "not a catalog"), 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        request = client.request_from_file(SAMPLES / "liaocheng_bjb_2024.xlsx")
        status, _h, answer = call(server.server_port, "POST", "/api/check", request)
    finally:
        server.shutdown()
        server.server_close()
    assert status == 500 and answer["error"].startswith("决算服务出错（")
    assert "Traceback" in (tmp_path / "juesuan-service.log").read_text(encoding="utf-8")


def test_a_hidden_standard_sheet_is_e19_as_in_the_file_path(service):
    """The add-in sends each sheet's visibility: a hidden 公开05 is reviewed unseen (E19, an error)."""
    request = client.request_from_file(SAMPLES / "liaocheng_bjb_2024.xlsx")
    for sheet in request["sheets"]:
        if sheet["name"] == "公开05":
            sheet["hidden"] = "veryHidden"
    request["fills"] = {}
    status, _h, answer = call(service, "POST", "/api/check", request)
    if answer.get("need_fills"):
        request["fills"] = {key: None for key in answer["need_fills"]}
        status, _h, answer = call(service, "POST", "/api/check", request)
    assert status == 200
    (e19,) = [f for f in answer["findings"] if f["rule"] == "E19"]
    assert e19["table"] == "公开05" and e19["severity"] == "error" and "深度隐藏" in e19["message"]


def test_fill_leaves_a_merged_derived_cell_and_reports_f05_as_juesuan_fill(service, tmp_path):
    """公开05 C7:C8 merged over two derived cells: C8 cannot hold a value, in a file or an open book."""
    from conftest import sample_path
    source = tmp_path / "merged.xlsx"
    shutil.copy(sample_path("liaocheng_bjb_2024"), source)
    wb = openpyxl.load_workbook(source)
    wb["公开05"]["C7"].value = wb["公开05"]["C8"].value = None
    wb["公开05"].merge_cells("C7:C8")
    wb.save(source)
    cli, wps = copies(tmp_path, source)
    filled, result = fill_book(cli, CATALOG, when=WHEN)
    answer = operate(service, "fill", wps)
    assert [(f["table"], f["cell"]) for f in answer["findings"] if f["rule"] == "F05"] == [("公开05", "C8")]
    assert answer["findings"] == [f.to_json() for f in result.findings]
    written = {(s["sheet"], s["row"] + i, s["col"] + j) for s in answer["edits"] if s["op"] == "values"
               for i, row in enumerate(s["values"]) for j, _ in enumerate(row)}
    assert ("公开05", 8, 3) not in written and ("公开05", 7, 3) in written
    after = applied(wps, answer)
    assert replay.compare_reviews(cli, after) == []
    after.save(wps)
    cleared = operate(service, "clear", wps)             # the mark on C8 is listed, but C8 has no fill to put back
    assert cleared["restored"] > 0
    assert [s for s in cleared["edits"] if s["op"] == "colour" and s["sheet"] == "公开05"
            and s["range"][0] <= 8 <= s["range"][2] and s["range"][1] <= 3 <= s["range"][3]] == []


def test_check_and_fill_set_the_print_areas_juesuan_sets(service, tmp_path):
    """The code tables print down to their last coded row (one more after fill inserts a 款), 审核结果 its findings."""
    source = SAMPLES / "broken" / "item_without_kuan.xlsx"
    for operation in ("check", "fill"):
        cli, wps = copies(tmp_path, source)
        if operation == "check":
            save_review(check_book(cli, CATALOG), cli, when=WHEN)
        else:
            fill_book(cli, CATALOG, when=WHEN)
        after = applied(wps, operate(service, operation, wps))
        expected = {ws.title: client.print_area(ws) for ws in openpyxl.load_workbook(cli).worksheets}
        assert {ws.title: client.print_area(ws) for ws in after.worksheets} == expected
        assert expected["公开03"] == ("A1:H25" if operation == "check" else "A1:H26"), expected
