"""Benchmark of `juesuan serve`: what one button press in WPS costs on the service side.

    python bench/bench_service.py          # every sample and broken sample, 3 rounds each

For each workbook: the request size (JSON of the grids the add-in reads), the time of 审核
(check) and 填充计算 (fill) requests over HTTP on 127.0.0.1 (median of the rounds, including
the need_fills round trip of a first 审核), and the edit list's length and size. The requests
are built from the files as the add-in would read them (tests/support/wps_client.py).
"""
from __future__ import annotations

import json
import statistics
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

from support import wps_client  # noqa: E402

from juesuan.domain.catalog import load_catalog  # noqa: E402
from juesuan.service.server import TOKEN_HEADER, Settings, make_server  # noqa: E402

TOKEN = "bench"


def post(port, operation, request):
    data = json.dumps(request, ensure_ascii=False).encode("utf-8")
    req = urllib.request.Request(f"http://127.0.0.1:{port}/api/{operation}", data=data, method="POST",
                                 headers={TOKEN_HEADER: TOKEN, "Content-Type": "application/json"})
    with urllib.request.urlopen(req) as answer:
        return json.loads(answer.read()), len(data)


def press(port, operation, path):
    request = wps_client.request_from_file(path)
    start = time.perf_counter()
    answer, size = post(port, operation, request)
    if answer.get("need_fills"):
        request["fills"] = {key: None for key in answer["need_fills"]}     # the add-in's read, not timed here
        answer, size = post(port, operation, request)
    return time.perf_counter() - start, size, answer


def main(rounds: int = 3) -> None:
    server = make_server(Settings(TOKEN, load_catalog()), 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    books = sorted((ROOT / "samples").glob("*.xlsx")) + sorted((ROOT / "samples" / "broken").glob("*.xlsx"))
    print(f"{'workbook':28} {'request':>9} {'审核 ms':>8} {'填充 ms':>8} {'steps':>6} {'edits KB':>9}")
    for path in books:
        timings = {}
        for operation in ("check", "fill"):
            runs = [press(server.server_port, operation, path) for _ in range(rounds)]
            timings[operation] = statistics.median(r[0] for r in runs) * 1000
            size, answer = runs[0][1], runs[0][2]
            if operation == "check":
                steps, edits = len(answer["edits"]), len(json.dumps(answer["edits"], ensure_ascii=False).encode())
        print(f"{path.stem:28} {size / 1024:8.0f}K {timings['check']:8.0f} {timings['fill']:8.0f} {steps:6d} "
              f"{edits / 1024:9.1f}")
    server.shutdown()


if __name__ == "__main__":
    main()
