"""The service's per-install secret and where it lives: the WPS add-in reads the same file.

Windows: %APPDATA%\\juesuan\\service-token; elsewhere $XDG_CONFIG_HOME/juesuan/service-token
(~/.config/juesuan/service-token). JUESUAN_CONFIG_DIR overrides the folder (tests, portable
installs). The folder is created private (0700 where the system has modes), so the token is
readable by the user alone.
"""
from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

from ..domain.errors import WriteRefused
from ..io.atomic import write_atomically

TOKEN_HEADER = "X-Juesuan-Token"
ADDIN_ORIGIN = "null"                 # pages of a WPS add-in installed in jsaddons load from file://

TOKEN_FILE = "service-token"
DEFAULT_PORT = 27460          # fixed, so the add-in knows where to call; `juesuan serve --port` changes it
TOKEN_BYTES = 32


def config_dir() -> Path:
    override = os.environ.get("JUESUAN_CONFIG_DIR")
    if override:
        return Path(override)
    if sys.platform == "win32" and os.environ.get("APPDATA"):
        return Path(os.environ["APPDATA"]) / "juesuan"
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "juesuan"


def token_path() -> Path:
    return config_dir() / TOKEN_FILE


def read_token() -> str | None:
    """The token, or None when there is none yet (or it cannot be read)."""
    try:
        text = token_path().read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return text or None


def ensure_token(renew: bool = False) -> str:
    """The token, created on first use (or replaced when `renew`)."""
    existing = None if renew else read_token()
    if existing:
        return existing
    folder = config_dir()
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteRefused(f"{folder}：无法创建配置文件夹（{exc.strerror or exc}）") from None
    token = secrets.token_urlsafe(TOKEN_BYTES)
    target = write_atomically(token_path(), token.encode("ascii"))
    try:
        os.chmod(target, 0o600)
    except OSError:        # a file system without modes: the private folder is the guard
        pass
    return token
