"""The local HTTP service: 127.0.0.1 only, one token, one origin, a size cap.

Every request carries the per-install token (header X-Juesuan-Token) or gets 401; a browser
request from any origin but the add-in's gets 403 (and no CORS headers); a Host other than
127.0.0.1/localhost gets 403 (DNS rebinding); a body over the cap gets 413 before it is read.
Nothing is read from a path in a request; the only files written are the publication or the
情况说明 asked for, next to the workbook the add-in names. Messages are Chinese, for the clerk.
"""
from __future__ import annotations

import hmac
import json
import socket
import sys
import threading
from dataclasses import dataclass, field
from decimal import Decimal
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .. import __version__
from ..io.crash_log import append_crash_log
from ..domain.catalog import Catalog
from ..domain.errors import UnusableWorkbook, WriteRefused
from ..io.publication_xlsx import render_workbook
from ..io.workbook_file import save_new_workbook
from ..ops.open_book import check_open_book, clear_open_book, fill_open_book, narrate_open_book, publish_open_book
from .config import ADDIN_ORIGIN, TOKEN_HEADER
from .protocol import BadRequest, NeedFills, book_path, open_book, response

MAX_REQUEST_BYTES = 16 * 1024 * 1024  # a standard workbook's grids are well under 1 MB
SERVICE = "juesuan"
BOOK_SUFFIXES = (".xlsx", ".xlsm", ".et", ".xls")
OPERATIONS = ("check", "fill", "publish", "clear", "narrate")
LOG_NAME = "juesuan-service.log"


@dataclass
class Settings:
    token: str
    catalog: Catalog
    origins: frozenset = field(default_factory=lambda: frozenset({ADDIN_ORIGIN}))
    max_bytes: int = MAX_REQUEST_BYTES


class Refused(Exception):
    def __init__(self, status: HTTPStatus, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def _json_default(value):
    if isinstance(value, Decimal):          # amounts go out as numbers: the sheet holds a double anyway
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(type(value).__name__)


class Handler(BaseHTTPRequestHandler):
    server_version = f"juesuan/{__version__}"
    protocol_version = "HTTP/1.1"
    settings: Settings                       # set on the class made by make_server

    def log_message(self, format, *args):    # noqa: A002 - no request, body or token in any log
        return

    # -- the checks every request passes ------------------------------------------------
    def _origin_allowed(self) -> bool:
        origin = self.headers.get("Origin")
        return origin is None or origin in self.settings.origins

    def _guard(self) -> None:
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0].strip("[]")
        if host not in ("127.0.0.1", "localhost"):
            raise Refused(HTTPStatus.FORBIDDEN, "只接受本机地址 127.0.0.1 的请求")
        if not self._origin_allowed():
            raise Refused(HTTPStatus.FORBIDDEN, "请求来源不是决算助手加载项，已拒绝")
        given = self.headers.get(TOKEN_HEADER) or ""
        if not hmac.compare_digest(given.encode("utf-8", "replace"), self.settings.token.encode("ascii")):
            raise Refused(HTTPStatus.UNAUTHORIZED,
                          "缺少或错误的访问令牌：请确认加载项与“juesuan serve”使用同一台电脑、同一用户的令牌文件"
                          "（可运行 juesuan serve --init-token 查看位置）")

    def _body(self) -> object:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            raise Refused(HTTPStatus.BAD_REQUEST, "请求头 Content-Length 无效") from None
        if length > self.settings.max_bytes:
            raise Refused(HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                          f"请求内容过大（{length} 字节，上限 {self.settings.max_bytes} 字节）：工作簿的数据远超决算公开表的规模，"
                          "请检查是否有大量无关的行列（如整列填充了格式或数值）")
        if length <= 0:
            raise Refused(HTTPStatus.BAD_REQUEST, "请求内容为空")
        try:
            return json.loads(self.rfile.read(length).decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise Refused(HTTPStatus.BAD_REQUEST, "请求内容不是有效的 JSON") from None

    # -- answering -----------------------------------------------------------------------
    def _send(self, status: HTTPStatus, payload: dict) -> None:
        data = json.dumps(payload, ensure_ascii=False, default=_json_default).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self._cors_headers()
        self.end_headers()
        self.wfile.write(data)

    def _cors_headers(self) -> None:
        origin = self.headers.get("Origin")
        if origin is not None and origin in self.settings.origins:
            self.send_header("Access-Control-Allow-Origin", origin)
            self.send_header("Vary", "Origin")

    def _refuse(self, refused: Refused) -> None:
        self.close_connection = True         # an unread body must not be taken for the next request
        self._send(refused.status, {"ok": False, "error": refused.message})

    def do_OPTIONS(self):                    # noqa: N802 - the CORS preflight of the add-in's POST
        if not self._origin_allowed() or self.headers.get("Origin") is None:
            self.close_connection = True
            self.send_response(HTTPStatus.FORBIDDEN)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(HTTPStatus.NO_CONTENT)
        self._cors_headers()
        self.send_header("Access-Control-Allow-Methods", "GET, POST")
        self.send_header("Access-Control-Allow-Headers", f"Content-Type, {TOKEN_HEADER}")
        self.send_header("Access-Control-Max-Age", "600")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):                        # noqa: N802
        try:
            self._guard()
            if self.path != "/health":
                raise Refused(HTTPStatus.NOT_FOUND, "没有这个地址")
            self._send(HTTPStatus.OK, {"ok": True, "service": SERVICE, "version": __version__,
                                       "operations": list(OPERATIONS)})
        except Refused as refused:
            self._refuse(refused)

    def do_POST(self):                       # noqa: N802
        try:
            self._guard()
            operation = self.path.removeprefix("/api/") if self.path.startswith("/api/") else None
            if operation == "shutdown":
                self._send(HTTPStatus.OK, {"ok": True, "message": "决算服务已停止"})
                threading.Thread(target=self.server.shutdown, daemon=True).start()
                return
            if operation not in OPERATIONS:
                raise Refused(HTTPStatus.NOT_FOUND, "没有这个操作")
            request = self._body()
            self._send(HTTPStatus.OK, self._operate(operation, request))
        except Refused as refused:
            self._refuse(refused)

    def _operate(self, operation: str, request) -> dict:
        try:
            book = open_book(request)
            catalog = self.settings.catalog
            if operation == "check":
                return response(operation, check_open_book(book, catalog))
            if operation == "fill":
                return response(operation, fill_open_book(book, catalog))
            if operation == "clear":
                return response(operation, clear_open_book(book))
            if operation == "narrate":
                outcome = narrate_open_book(book, catalog, _workbook_path(request))
                return response(operation, outcome, output=str(outcome.output) if outcome.output else None,
                                placeholders=outcome.placeholders)
            return self._publish(book, request)
        except NeedFills as need:
            return {"ok": False, "need_fills": need.keys}
        except Refused:
            raise
        except BadRequest as exc:
            raise Refused(HTTPStatus.BAD_REQUEST, f"请求格式有误：{exc}") from None
        except UnusableWorkbook as exc:
            raise Refused(HTTPStatus.UNPROCESSABLE_ENTITY, exc.message) from None
        except WriteRefused as exc:
            raise Refused(HTTPStatus.CONFLICT, str(exc)) from None
        except Exception as exc:   # noqa: BLE001 - a bug of ours: the clerk gets a message, the details a log
            log = _log(exc)
            where = f"\n详细信息已记入：{log}" if log else ""
            raise Refused(HTTPStatus.INTERNAL_SERVER_ERROR,
                          f"决算服务出错（{type(exc).__name__}：{exc}）。请把这条信息和工作簿一并发给技术支持。{where}") from None

    def _publish(self, book, request) -> dict:
        """生成公开表: written next to the workbook as <name>-公开表.xlsx, as the Excel button does."""
        outcome = publish_open_book(book, self.settings.catalog)
        if outcome.publication is None:
            return response("publish", outcome, output=None)
        path = _workbook_path(request)
        if path is None:
            raise Refused(HTTPStatus.UNPROCESSABLE_ENTITY,
                          "工作簿还没有保存到本机文件夹（或在网盘上）：请先“另存为”到本机文件夹，再生成公开表")
        target = path.with_name(f"{path.stem}-公开表.xlsx")
        written = save_new_workbook(render_workbook(outcome.publication), target)
        outcome.message = f"公开表已生成：\n{written}{outcome.message}"
        return response("publish", outcome, output=str(written))


def _workbook_path(request) -> Path | None:
    """The workbook's file as the add-in names it, when it is one in a local folder: outputs go
    beside it under names of ours (None: unsaved, or not a workbook's path; nothing is read there)."""
    source = book_path(request)
    path = Path(source) if source else None
    if path is None or not path.is_absolute() or path.suffix.lower() not in BOOK_SUFFIXES or not path.parent.is_dir():
        return None
    return path


def _log(exc: BaseException) -> Path | None:
    """The traceback of an unexpected error, appended to %TEMP%/juesuan-service.log (never the request)."""
    return append_crash_log(exc, LOG_NAME)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # SO_REUSEADDR on Windows lets a second process bind the same port: a local process could
    # then answer the add-in in our place. There, bind exclusively; elsewhere reuse is harmless.
    allow_reuse_address = sys.platform != "win32"

    def server_bind(self):
        if sys.platform == "win32":
            self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_EXCLUSIVEADDRUSE, 1)
        super().server_bind()


def make_server(settings: Settings, port: int) -> ThreadingHTTPServer:
    """The server bound to 127.0.0.1:`port` (0: any free port; server.server_port says which)."""
    handler = type("JuesuanHandler", (Handler,), {"settings": settings})
    return _Server(("127.0.0.1", port), handler)
