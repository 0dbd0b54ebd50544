"""The texts of a Linux offline bundle (统信 UOS, 麒麟 and other 信创 PCs with WPS): 安装.sh,
卸载.sh and 安装说明.txt, in Chinese for the clerk. offline_bundle.py writes them in UTF-8 with
LF line ends (the scripts executable).

The scripts are POSIX sh (UOS's and Kylin's /bin/sh is dash) and need no root: juesuan goes
into a virtual environment of the user's own (~/.local/share/juesuan/venv), made with
`venv --without-pip` and filled by the pip wheel the bundle carries, run from the wheel
itself: Debian-based systems strip ensurepip unless python3-venv is installed, which an
offline PC cannot fetch.
"""
from __future__ import annotations

VENV = "$HOME/.local/share/juesuan/venv"
JSADDONS = "~/.local/share/Kingsoft/wps/jsaddons"


def _find_python(python_version: str) -> str:
    """The Python the bundle's wheels were downloaded for: some of them (python-calamine, numpy,
    matplotlib, lxml, pillow) are built for one CPython version only."""
    major, minor = (int(part) for part in python_version.split(".")[:2])
    return f"""PY="${{PYTHON:-}}"
if [ -z "$PY" ]; then
  for candidate in python{major}.{minor} python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != ({major}, {minor}))' 2>/dev/null; then
      PY=$(command -v "$candidate")
      break
    fi
  done
fi
[ -n "$PY" ] || fail "没有找到 Python {major}.{minor}（本安装包中的程序包只适用于这个版本）。请先安装（见“安装说明.txt”第一步），或用 PYTHON=Python程序的路径 sh 安装.sh 指定。"
"$PY" -c 'import sys; sys.exit(sys.version_info[:2] != ({major}, {minor}))' 2>/dev/null || fail "$PY 不是 Python {major}.{minor}：本安装包中的程序包只适用于 Python {major}.{minor}，请换用这个版本，或使用为其他版本生成的安装包。"
"""


def install_sh(juesuan_version: str, python_version: str, requirement: str) -> str:
    return f"""#!/bin/sh
# 决算助手（juesuan {juesuan_version}）离线安装：统信 UOS、麒麟等 Linux 电脑。不连网，不需要 root。
# 用法：在本文件夹中打开终端，运行  sh 安装.sh
#       （指定 Python：PYTHON=/usr/bin/python3.11 sh 安装.sh）
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
DATA="$HOME/.local/share/juesuan"
VENV="{VENV}"
LINK="$HOME/.local/bin/juesuan"

say() {{ printf '%s\\n' "$*"; }}
fail() {{ say ""; say "安装未完成：$*"; exit 1; }}

say "决算助手（juesuan {juesuan_version}）离线安装"
say "========================================"

# 1. 找到 Python
{_find_python(python_version)}say "使用的 Python：$PY（$("$PY" -c 'import platform; print(platform.python_version())')）"

# 2. 建立本用户的虚拟环境，只从本文件夹的 wheels 安装（不连网）
if [ -x "$VENV/bin/juesuan" ]; then
  "$VENV/bin/juesuan" serve --stop >/dev/null 2>&1      # 旧版本的服务在运行时先停下
fi
rm -rf "$VENV"
mkdir -p "$DATA" || fail "无法创建文件夹 $DATA"
"$PY" -m venv --without-pip "$VENV" || fail "无法在 $VENV 建立 Python 虚拟环境（原因见上方）。"
PIP_WHEEL=$(ls "$HERE"/wheels/pip-*.whl 2>/dev/null | head -n 1)
[ -n "$PIP_WHEEL" ] || fail "wheels 文件夹中缺少 pip 的安装文件，请重新复制完整的安装包。"
say "正在安装 juesuan 及其依赖（只用本文件夹中的文件）……"
"$VENV/bin/python" "$PIP_WHEEL/pip" install --no-index --find-links "$HERE/wheels" \\
    --disable-pip-version-check --no-warn-script-location --quiet pip "{requirement}" \\
  || fail "安装 juesuan 失败（原因见上方英文信息）。请确认 Python 版本，并按“安装说明.txt”检查。"
VERSION=$("$VENV/bin/juesuan" --version) || fail "juesuan 装好后无法运行（原因见上方）。"
say "已安装：$VERSION（位置：$VENV）"

# 3. 决算服务的访问令牌和 WPS 表格加载项（没有 WPS 时也照样安装，装好 WPS 后即可使用）
"$VENV/bin/juesuan" serve --init-token || fail "无法生成决算服务的访问令牌（原因见上方）。"
"$VENV/bin/python" -m juesuan.service.wps_install || fail "无法安装 WPS 加载项（原因见上方）。"

# 4. 命令 juesuan：在 ~/.local/bin 放一个链接（那里已有别的同名程序时不动它）
mkdir -p "$HOME/.local/bin"
if [ ! -e "$LINK" ] && [ ! -L "$LINK" ] || [ "$(readlink "$LINK")" = "$VENV/bin/juesuan" ]; then
  ln -sf "$VENV/bin/juesuan" "$LINK" && say "命令 juesuan：$LINK"
else
  say "$LINK 已被其他程序占用，没有改动它；命令行请用 $VENV/bin/juesuan"
fi

say ""
say "安装完成。重新打开 WPS 表格，功能区出现“决算助手”选项卡即为成功。"
say "命令行：juesuan --help（新打开的终端中可用；若提示找不到命令，请用 $VENV/bin/juesuan）"
say "卸载：sh 卸载.sh"
"""


def uninstall_sh() -> str:
    return f"""#!/bin/sh
# 决算助手卸载：移除 WPS 加载项、访问令牌、命令链接和 juesuan 的虚拟环境。
set -u
DATA="$HOME/.local/share/juesuan"
VENV="{VENV}"
LINK="$HOME/.local/bin/juesuan"

say() {{ printf '%s\\n' "$*"; }}

if [ ! -x "$VENV/bin/python" ]; then
  say "没有找到 $VENV：决算助手没有用本安装包装在本用户下，无需卸载。"
  exit 0
fi
"$VENV/bin/juesuan" serve --stop >/dev/null 2>&1          # 服务在运行时先停下
"$VENV/bin/python" -m juesuan.service.wps_install --uninstall || {{ say "卸载 WPS 加载项失败（原因见上方），其余照常卸载。"; }}
TOKEN=$("$VENV/bin/python" -c 'from juesuan.service.config import token_path; print(token_path())' 2>/dev/null)
if [ -n "$TOKEN" ] && [ -f "$TOKEN" ]; then
  rm -f "$TOKEN" && rmdir "$(dirname "$TOKEN")" 2>/dev/null
  say "已删除访问令牌：$TOKEN"
fi
if [ -L "$LINK" ] && [ "$(readlink "$LINK")" = "$VENV/bin/juesuan" ]; then
  rm -f "$LINK"
fi
rm -rf "$VENV"
rmdir "$DATA" 2>/dev/null
say "已卸载决算助手（juesuan 和 WPS 加载项）。您的工作簿不受影响。"
"""


def install_notes_linux(juesuan_version: str, platform: str, wheels: list[str], python_version: str) -> str:
    listing = "\n".join(f"    {name}" for name in wheels)
    return f"""决算助手（juesuan {juesuan_version}）离线安装说明（Linux：统信 UOS、麒麟等）
==========================================================

本文件夹可以复制（U 盘、内网共享）到不能上网的电脑上安装，安装过程不需要连网，也不需要管理员（root）权限。
适用：平台 {platform}，Python {python_version}（wheels 中有的程序包只适用于这个版本）。

文件夹内容
----------
  安装.sh         一键安装（第二步）
  卸载.sh         卸载（第四步）
  standard.xlsx   空白标准工作簿（WPS 表格中填写）
  wheels/         juesuan 和它用到的全部程序包，请不要改动

第一步：确认 Python 版本
------------------------
  打开终端，运行  python3 --version
  需要 Python {python_version}（其他版本请使用为那个版本生成的安装包）。较早的系统（如统信 UOS 20、麒麟 V10 自带的 Python 3.7、3.8）
  版本不够：请向本单位信息化部门或系统厂商的软件源索取 Python 3.11 等新版本，
  装好后用  PYTHON=新Python程序的路径 sh 安装.sh  运行第二步。

第二步：运行安装.sh
-------------------
  在本文件夹中打开终端，运行：  sh 安装.sh
  它会：
  1. 在 ~/.local/share/juesuan/venv 建立本用户的 Python 虚拟环境，只从本文件夹安装 juesuan 及生成情况说明所需的程序包（不连网）；
  2. 生成决算服务的访问令牌（~/.config/juesuan/service-token，只有本用户能读）；
  3. 把 WPS 加载项“决算助手”装进 {JSADDONS}/juesuan_{juesuan_version}/，
     并在同一文件夹的 publish.xml 中登记（其他加载项的登记保持不变）；
  4. 在 ~/.local/bin 放一个命令链接 juesuan。
  最后显示“安装完成”即成功。电脑上还没有装 WPS 时也照样安装，装好 WPS 后即可使用。

第三步：检查是否安装成功
------------------------
1. 新打开一个终端，运行：  juesuan --version
   显示“juesuan {juesuan_version}”即命令行已装好（找不到命令时用 ~/.local/share/juesuan/venv/bin/juesuan）。
2. 重新打开 WPS 表格：功能区出现“决算助手”选项卡；打开一个标准工作簿，点“审核”，
   “审核结果”表中出现结果即为成功。点按钮时会自动在本机启动决算服务（只在本机 127.0.0.1 上工作，不连网）。
3. 没有出现选项卡：确认 WPS 是 2019 或更新的版本，并请信息化部门确认本机的 WPS 没有禁用加载项。
   提示“决算服务没有运行”时，在终端运行  juesuan serve  看是否有报错。
   WPS 加载项只在本机测试程序中验证过，尚未在真实的 WPS 中试用。
4. 命令行的用法与按钮相同，例如：
    juesuan check 单位.xlsx --write          审核并把结果写入“审核结果”表
    juesuan fill 单位.xlsx -o 已填充.xlsx     填充计算
    juesuan publish 单位.xlsx -o 公开表.xlsx  生成公开表
    juesuan narrate 单位.xlsx -o 情况说明.docx  生成情况说明
    juesuan batch 收件文件夹 --report 汇总.xlsx  批量审核

第四步：卸载
------------
  关闭 WPS 表格，在本文件夹中运行：  sh 卸载.sh
  它移除 WPS 加载项（publish.xml 中其他加载项的登记保持不变）、访问令牌、命令链接和虚拟环境；
  您的工作簿不受影响。

升级：用新版本的离线安装包再运行一次 sh 安装.sh 即可（会先移除旧版）。

wheels 文件夹中的程序包
-----------------------
{listing}
"""
