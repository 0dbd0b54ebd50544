"""`juesuan serve`: the local service the WPS add-in calls (service/, docs/wps.md)."""
from __future__ import annotations

import json

import click

from ..domain.errors import WriteRefused
from ..exit_codes import Exit
from ..service.config import DEFAULT_PORT, ensure_token, read_token, token_path
from .options import catalog_option, command, fail, resolve_catalog, say

# service.server.ADDIN_ORIGIN, for the help text: importing the server loads openpyxl (through the
# publication writer), which every other command would then pay for at start-up; the server is
# imported by the command itself. tests/test_speed_paths.py keeps the two equal.
ADDIN_ORIGIN_SHOWN = "null"


@command()
@click.option("--port", type=click.IntRange(0, 65535), default=DEFAULT_PORT, show_default=True, metavar="端口",
              help="监听的本机端口（0 表示任选空闲端口）")
@click.option("--init-token", is_flag=True, help="只生成访问令牌文件（已有则保留）并显示其位置，不启动服务")
@click.option("--new-token", is_flag=True, help="换一个新的访问令牌（旧令牌作废；运行中的服务须重启）并显示其位置，不启动服务")
@click.option("--stop", is_flag=True, help="停止正在运行的决算服务")
@click.option("--allow-origin", "origins", multiple=True, metavar="来源",
              help=f"另外允许的网页来源（默认只允许 WPS 加载项的来源 {ADDIN_ORIGIN_SHOWN}），可多次指定")
@catalog_option
def serve(port, init_token, new_token, stop, origins, catalogs):
    """启动本机决算服务，供 WPS 表格的“决算助手”加载项调用（只监听 127.0.0.1）。

    \b
    例：
      juesuan serve                启动服务（首次运行时生成访问令牌）
      juesuan serve --init-token   只生成访问令牌
      juesuan serve --stop         停止服务
    按 Ctrl+C 也可停止。
    """
    if stop:
        _stop(port)
        return
    from ..service.server import ADDIN_ORIGIN, Settings, make_server
    try:
        token = ensure_token(renew=new_token)
    except WriteRefused as exc:
        fail(f"无法生成访问令牌：{exc}")
    if init_token or new_token:
        say(f"访问令牌文件：{token_path()}")
        return
    settings = Settings(token, resolve_catalog(catalogs), frozenset({ADDIN_ORIGIN, *origins}))
    try:
        server = make_server(settings, port)
    except OSError as exc:
        fail(f"无法在 127.0.0.1:{port} 启动服务（{exc.strerror or exc}）：可能决算服务已在运行，"
             f"或端口被其他程序占用（可用 --port 换一个端口）")
    say(f"决算服务已启动：http://127.0.0.1:{server.server_port}  （令牌文件：{token_path()}；Ctrl+C 或 juesuan serve --stop 停止）")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    say("决算服务已停止。")


def _stop(port: int) -> None:
    import urllib.error       # (here: urllib.request loads ssl, which no other command needs)
    import urllib.request

    from ..service.server import TOKEN_HEADER
    token = read_token()
    if token is None:
        fail(f"没有找到访问令牌文件（{token_path()}）：服务没有在本用户下运行过")
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/shutdown", data=b"{}", method="POST",
                                     headers={TOKEN_HEADER: token, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            say(json.loads(answer.read().decode("utf-8")).get("message", "决算服务已停止"))
    except urllib.error.HTTPError as exc:
        fail(f"127.0.0.1:{port} 拒绝了停止请求（HTTP {exc.code}）：运行在该端口的可能不是本用户的决算服务")
    except (urllib.error.URLError, OSError):
        fail(f"127.0.0.1:{port} 上没有正在运行的决算服务", Exit.ERRORS)
