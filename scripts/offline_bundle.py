"""Build the offline installation bundle: everything a PC without internet needs to run juesuan.

    python scripts/offline_bundle.py -o 决算助手离线安装包 --platform win_amd64 --python-version 3.11

writes the folder (and a .zip of it beside it) with

    wheels/        juesuan's wheel and a wheel of every dependency, for that platform and Python
    juesuan.xlam   the add-in; standard.xlsm the workbook with buttons; standard.xlsx the blank template
    安装.bat       installs from wheels/ with no package index, then sets up the Excel add-in, the
                   WPS add-in (python -m juesuan.service.wps_install: it is package data of the
                   juesuan wheel) and the service token (juesuan serve --init-token)
    卸载.bat       removes the add-ins, the token and the packages again
    安装说明.txt   what to install first, how to run 安装.bat, how to check, how to uninstall

For Linux (统信 UOS, 麒麟 with WPS: --platform manylinux_2_28_x86_64 or manylinux_2_28_aarch64)
the bundle holds 安装.sh / 卸载.sh instead (UTF-8, LF): a venv of the user's own, filled from
wheels/ by the pip wheel the bundle carries, the WPS add-in and the token; standard.xlsx only
(no Excel there), and juesuan without the excel extra. Some dependencies are built for one
CPython version (python-calamine; numpy, matplotlib, lxml, pillow of the narrate extra), so a
bundle serves the Python version it was made for, on Linux as on Windows.

Both install the narrate extra (python-docx, matplotlib: the 生成情况说明 button), which adds
about 35 MB of wheels to a Windows bundle (about 10 → 45 MB) and 45 MB to a Linux one (about
4 → 49 MB); numpy, matplotlib, pillow, fonttools and lxml are most of it.

Without --platform the bundle is for this machine (what the tests install into a fresh venv):
on Linux the .sh kind, with the excel extra as well.

Why the dependency closure is computed here and not left to pip: `pip download --platform`
picks wheels for the target but evaluates environment markers against the *running* Python,
so building a Windows bundle on Linux silently leaves out `pywin32` (xlwings) and `colorama`
(click). We read every downloaded wheel's Requires-Dist, evaluate the markers for the target
(packaging.markers) and download what is still missing until nothing is.

The .bat files are written in GBK (code page 936) with CRLF line ends and start with
`chcp 936`: cmd.exe decodes a batch file line by line in the console's code page, which on a
Chinese Windows is 936 already; a UTF-8 batch file with `chcp 65001` mis-reads multi-byte
lines on older Windows 10 builds and Windows 8.1. The .txt is UTF-8 with a BOM and CRLF,
which Notepad on every supported Windows opens correctly.
"""
from __future__ import annotations

import argparse
import email.parser
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bundle_texts import install_bat, install_notes, uninstall_bat  # noqa: E402  (beside this script)
from bundle_texts_linux import install_notes_linux, install_sh, uninstall_sh  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "xlsx_templates"
SHIPPED = ("juesuan.xlam", "standard.xlsm", "standard.xlsx")
LINUX_SHIPPED = ("standard.xlsx",)          # no Excel on UOS / Kylin: the WPS add-in is in the wheel
EXTRAS = ("excel", "narrate")          # xlwings for the Excel buttons; python-docx, matplotlib for 生成情况说明
LINUX_EXTRAS = ("narrate",)
WHEELS = "wheels"
MAX_ROUNDS = 8                 # marker-only dependencies found per round; real chains are 2–3 deep

# sys_platform etc. of a target given as a pip platform tag
_PLATFORMS = {
    "win_amd64": {"sys_platform": "win32", "platform_system": "Windows", "os_name": "nt", "platform_machine": "AMD64"},
    "win32": {"sys_platform": "win32", "platform_system": "Windows", "os_name": "nt", "platform_machine": "x86"},
    "win_arm64": {"sys_platform": "win32", "platform_system": "Windows", "os_name": "nt", "platform_machine": "ARM64"},
    # glibc 2.28: UOS 20 and Kylin V10; pip also takes the older manylinux wheels for these tags
    "manylinux_2_28_x86_64": {"sys_platform": "linux", "platform_system": "Linux", "os_name": "posix",
                              "platform_machine": "x86_64"},
    "manylinux_2_28_aarch64": {"sys_platform": "linux", "platform_system": "Linux", "os_name": "posix",
                               "platform_machine": "aarch64"},
}


def for_linux(platform: str | None) -> bool:
    return platform.startswith("manylinux") if platform else sys.platform.startswith("linux")


def extras_for(platform: str | None) -> tuple[str, ...]:
    """xlwings (the excel extra) is no use on a Linux PC, which has no Excel: left out of a Linux
    bundle; kept in this machine's, which the tests install "juesuan[excel,narrate]" from."""
    return LINUX_EXTRAS if platform and for_linux(platform) else EXTRAS


def requirement(extras: tuple[str, ...]) -> str:
    """What the install script asks pip for: juesuan with the extras the bundle carries."""
    return f"juesuan[{','.join(extras)}]" if extras else "juesuan"


class BundleError(Exception):
    """A reason the bundle cannot be built, in Chinese."""


# --- the target ------------------------------------------------------------------------------------
def target_environment(platform: str | None, python_version: str | None) -> dict[str, str]:
    """The marker environment of the PC the bundle is for (this machine's, where not given)."""
    env = dict(default_environment())
    if platform is not None:
        if platform not in _PLATFORMS:
            raise BundleError(f"不支持的平台 {platform}：可用 {'、'.join(_PLATFORMS)}，或不写 --platform 表示本机")
        env.update(_PLATFORMS[platform])
        env.update(implementation_name="cpython", platform_python_implementation="CPython")
    if python_version is not None:
        env.update(python_version=python_version, python_full_version=f"{python_version}.0")
    return env


def pip_platforms(platform: str) -> list[str]:
    """The wheel platform tags a target takes. A PC with glibc 2.28 runs every manylinux wheel built
    for an older glibc too, but `pip download --platform manylinux_2_28_x` matches that tag only
    (pip 23), and most binary wheels (python-calamine, matplotlib, pillow…) are manylinux_2_17."""
    glibc = re.fullmatch(r"manylinux_2_(\d+)_(\w+)", platform)
    if glibc is None:
        return [platform]
    newest, arch = int(glibc.group(1)), glibc.group(2)
    return ([f"manylinux_2_{minor}_{arch}" for minor in range(newest, 4, -1)]
            + [f"{legacy}_{arch}" for legacy in ("manylinux2014", "manylinux2010", "manylinux1")])


def pip_download_options(platform: str | None, python_version: str | None) -> list[str]:
    options = ["--only-binary=:all:"]
    if platform is not None:
        for tag in pip_platforms(platform):
            options += ["--platform", tag]
        options += ["--implementation", "cp"]
    if python_version is not None:
        options += ["--python-version", python_version]
    return options


# --- the dependency closure ------------------------------------------------------------------------
def wheel_requirements(wheel: Path) -> list[Requirement]:
    """Requires-Dist of a wheel (from its METADATA)."""
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.count("/") == 1 and n.endswith(".dist-info/METADATA"))
        metadata = email.parser.BytesParser().parsebytes(archive.read(name), headersonly=True)
    return [Requirement(text) for text in metadata.get_all("Requires-Dist") or []]


def wheels_by_name(folder: Path) -> dict[str, tuple[Path, object]]:
    found = {}
    for wheel in sorted(folder.glob("*.whl")):
        name, version, _build, _tags = parse_wheel_filename(wheel.name)
        found[name] = (wheel, version)
    return found


def missing_requirements(folder: Path, root: str, extras: tuple[str, ...], env: dict[str, str]) -> list[str]:
    """Requirements (for the target `env`) of `root`[extras] and everything it needs that no wheel
    in `folder` satisfies, as requirement strings without markers."""
    available = wheels_by_name(folder)
    missing: dict[str, Requirement] = {}
    seen: set[tuple[str, str]] = set()
    queue = [(canonicalize_name(root), extra) for extra in ("", *extras)]
    while queue:
        name, extra = queue.pop()
        if (name, extra) in seen or name not in available:
            continue
        seen.add((name, extra))
        for requirement in wheel_requirements(available[name][0]):
            if requirement.marker is not None and not requirement.marker.evaluate({**env, "extra": extra}):
                continue
            wanted = canonicalize_name(requirement.name)
            have = available.get(wanted)
            if have is None or not requirement.specifier.contains(have[1], prereleases=True):
                missing[wanted] = requirement
                continue
            queue += [(wanted, e) for e in ("", *sorted(requirement.extras))]
    return [_without_marker(r) for _name, r in sorted(missing.items())]


def _without_marker(requirement: Requirement) -> str:
    extras = f"[{','.join(sorted(requirement.extras))}]" if requirement.extras else ""
    return f"{requirement.name}{extras}{requirement.specifier}"


# --- building --------------------------------------------------------------------------------------
def _pip(*args: str) -> None:
    done = subprocess.run([sys.executable, "-m", "pip", *args, "--disable-pip-version-check"],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise BundleError("pip 运行失败：pip " + " ".join(args) + "\n" + (done.stderr or done.stdout)[-2000:])


def build_own_wheel(wheels: Path) -> Path:
    """juesuan's wheel, built from a clean copy of the sources (setuptools leaves build/ and
    egg-info behind in the tree it builds)."""
    with tempfile.TemporaryDirectory(prefix="juesuan-wheel-") as scratch:
        source = Path(scratch) / "juesuan"
        source.mkdir()
        for name in ("pyproject.toml", "README.md"):
            shutil.copy2(ROOT / name, source / name)
        shutil.copytree(ROOT / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        _pip("wheel", "--no-deps", "--wheel-dir", str(wheels), str(source))
    built = sorted(wheels.glob("juesuan-*.whl"))
    if len(built) != 1:
        raise BundleError(f"应生成一个 juesuan 的 wheel，实际为 {len(built)} 个")
    return built[0]


def download_dependencies(wheels: Path, platform: str | None, python_version: str | None) -> None:
    env = target_environment(platform, python_version)
    options = pip_download_options(platform, python_version)
    extras = extras_for(platform)
    if for_linux(platform):          # 安装.sh runs pip from its wheel into a venv made --without-pip
        _pip("download", *options, "--dest", str(wheels), "pip")
    for _round in range(MAX_ROUNDS):
        missing = missing_requirements(wheels, "juesuan", extras, env)
        if not missing:
            return
        _pip("download", *options, "--dest", str(wheels), *missing)
    raise BundleError("依赖关系在多轮下载后仍不完整：" + "、".join(missing_requirements(wheels, "juesuan", extras, env)))


def build_bundle(output: Path, platform: str | None = None, python_version: str | None = None,
                 python_installer: Path | None = None, make_zip: bool = True) -> Path:
    """Write the bundle folder at `output` (must not exist or be empty); returns it.
    The folder is assembled beside `output` and renamed into place only when complete."""
    output = Path(output)
    if output.exists() and (not output.is_dir() or any(output.iterdir())):
        raise BundleError(f"输出文件夹已存在且不为空：{output}（请换一个名字或先删除它）")
    for name in SHIPPED:
        if not (TEMPLATES / name).is_file():
            raise BundleError(f"缺少 {TEMPLATES / name}：请先运行 python -m juesuan.excel.build")
    if python_installer is not None and not Path(python_installer).is_file():
        raise BundleError(f"没有这个 Python 安装程序：{python_installer}")
    version = python_version or f"{sys.version_info.major}.{sys.version_info.minor}"
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".bundle-", dir=output.parent))
    try:
        wheels = staging / WHEELS
        wheels.mkdir()
        own = build_own_wheel(wheels)
        download_dependencies(wheels, platform, python_version)
        linux = for_linux(platform)
        for name in (LINUX_SHIPPED if linux else SHIPPED):
            shutil.copy2(TEMPLATES / name, staging / name)
        if python_installer is not None:
            shutil.copy2(python_installer, staging / Path(python_installer).name)
        juesuan_version = str(parse_wheel_filename(own.name)[1])
        listing = sorted(w.name for w in wheels.glob("*.whl"))
        if linux:
            _write_sh(staging / "安装.sh", install_sh(juesuan_version, version, requirement(LINUX_EXTRAS)))
            _write_sh(staging / "卸载.sh", uninstall_sh())
            (staging / "安装说明.txt").write_text(
                install_notes_linux(juesuan_version, platform or "本机平台", listing, version), encoding="utf-8")
        else:
            _write_bat(staging / "安装.bat", install_bat(version, juesuan_version, requirement(EXTRAS)))
            _write_bat(staging / "卸载.bat", uninstall_bat(version))
            notes = install_notes(version, juesuan_version, platform or "本机平台", listing)
            (staging / "安装说明.txt").write_bytes(b"\xef\xbb\xbf" + _crlf(notes).encode("utf-8"))
        staging.chmod(0o755)                  # mkdtemp's folder is private to its owner
        if output.exists():
            output.rmdir()
        staging.rename(output)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if make_zip:
        archive = shutil.make_archive(str(output), "zip", root_dir=output.parent, base_dir=output.name)
        print(f"已生成压缩包：{archive}")
    return output


def _crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def _write_bat(path: Path, text: str) -> None:
    path.write_bytes(_crlf(text).encode("gbk"))


def _write_sh(path: Path, text: str) -> None:
    path.write_bytes(text.replace("\r\n", "\n").encode("utf-8"))
    path.chmod(0o755)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="生成离线安装包（无网络的电脑用）：juesuan 及全部依赖的 wheel、加载项、安装脚本和说明。")
    parser.add_argument("-o", "--output", required=True, type=Path, help="输出文件夹（同时生成同名 .zip）")
    parser.add_argument("--platform", help="目标平台：win_amd64（Windows），manylinux_2_28_x86_64 或 "
                        "manylinux_2_28_aarch64（统信 UOS、麒麟等 Linux）；不写表示本机")
    parser.add_argument("--python-version", help="目标 Python 版本，如 3.11；不写表示本机的版本")
    parser.add_argument("--python-installer", type=Path, help="一并放入的 Python 安装程序（如 python-3.11.9-amd64.exe）")
    parser.add_argument("--no-zip", action="store_true", help="不生成 .zip")
    args = parser.parse_args(argv)
    if args.platform and not args.python_version:
        parser.error("指定 --platform 时也要指定 --python-version（如 3.11）")
    try:
        folder = build_bundle(args.output, args.platform, args.python_version, args.python_installer, not args.no_zip)
    except BundleError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    print(f"离线安装包已生成：{folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
