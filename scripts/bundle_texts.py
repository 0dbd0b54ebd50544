"""The texts of the offline bundle: 安装.bat, 卸载.bat and 安装说明.txt (Chinese, for the clerk).

The batch files avoid parenthesised blocks (cmd expands %VAR% in a block when it reads the
block, and an ASCII ")" in an echo would end it): every branch is a goto. offline_bundle.py
writes them in GBK with CRLF line ends.
"""
from __future__ import annotations


def _folder(python_version: str) -> str:
    return "Python" + python_version.replace(".", "")          # 3.11 -> Python311, the installer's folder name


def install_bat(python_version: str, juesuan_version: str, requirement: str) -> str:
    folder = _folder(python_version)
    return rf"""@echo off
chcp 936 >nul
setlocal EnableExtensions
cd /d "%~dp0"
title 决算助手离线安装
echo.
echo 决算助手（juesuan {juesuan_version}）离线安装：需要 Python {python_version}（64 位）
echo ================================================================
echo.

rem --- 1. 找到 Python {python_version} -----------------------------------------------
set "PYEXE="
for /f "delims=" %%i in ('py -{python_version} -c "import sys; print(sys.executable)" 2^>nul') do set "PYEXE=%%i"
if defined PYEXE goto havepython
if exist "%LOCALAPPDATA%\Programs\Python\{folder}\python.exe" set "PYEXE=%LOCALAPPDATA%\Programs\Python\{folder}\python.exe"
if defined PYEXE goto havepython
if exist "%ProgramFiles%\{folder}\python.exe" set "PYEXE=%ProgramFiles%\{folder}\python.exe"
if defined PYEXE goto havepython

rem 没有找到：安装包里带了 Python 安装程序时，为当前用户安装
set "INSTALLER="
for %%f in ("%~dp0python-{python_version}*-amd64.exe") do set "INSTALLER=%%~ff"
if not defined INSTALLER goto nopython
echo 没有找到 Python {python_version}，正在安装 %INSTALLER% ……
"%INSTALLER%" /passive InstallAllUsers=0 PrependPath=1 Include_launcher=1 Include_test=0
if exist "%LOCALAPPDATA%\Programs\Python\{folder}\python.exe" set "PYEXE=%LOCALAPPDATA%\Programs\Python\{folder}\python.exe"
if not defined PYEXE goto nopython

:havepython
echo 使用的 Python：%PYEXE%
echo.

rem --- 2. 从本文件夹安装（不连网）--------------------------------------------------
rem 先解除“来自网络”的锁定，否则 Excel 会阻止加载项中的宏（没有 PowerShell 时跳过）
powershell -NoProfile -Command "Get-ChildItem -LiteralPath '%~dp0.' -Recurse | Unblock-File" >nul 2>nul
echo 正在安装 juesuan 及其依赖（只用本文件夹中的文件）……
"%PYEXE%" -m pip uninstall -y -q juesuan >nul 2>nul
"%PYEXE%" -m pip install --no-index --find-links "%~dp0wheels" --disable-pip-version-check "{requirement}"
if errorlevel 1 goto pipfailed
"%PYEXE%" -m juesuan.cli --version
if errorlevel 1 goto pipfailed
echo.

rem --- 3. 决算服务的访问令牌和 WPS 表格加载项 ---------------------------------------
rem 电脑上没有 WPS 时也照样安装：只是 %APPDATA% 下的几个文件，装好 WPS 后即可使用
set "WPSDONE="
echo 正在安装 WPS 表格加载项“决算助手”……
"%PYEXE%" -m juesuan.cli serve --init-token
if errorlevel 1 goto wpsdone
"%PYEXE%" -m juesuan.service.wps_install
if errorlevel 1 goto wpsdone
set "WPSDONE=1"
:wpsdone
if not defined WPSDONE echo 没能安装 WPS 加载项（原因见上方）；Excel 加载项和命令行不受影响。
echo.

rem --- 4. 让 Excel 找到这个 Python，并安装 Excel 加载项 ------------------------------
"%PYEXE%" -m xlwings.cli config create --force
if errorlevel 1 goto addinfailed
echo 正在安装 Excel 加载项 juesuan.xlam（请先关闭 Excel）……
"%PYEXE%" -m xlwings.cli addin install -f "%~dp0juesuan.xlam"
if errorlevel 1 goto addinfailed
rem xlwings reports a failed copy but still ends with exit code 0: look for the file itself
if not exist "%APPDATA%\Microsoft\Excel\XLSTART\juesuan.xlam" goto addinfailed
echo.
echo 安装完成。重新打开 Excel 或 WPS 表格，功能区出现“决算助手”选项卡即为成功。
echo 命令行用法：打开“命令提示符”，运行  "%PYEXE%" -m juesuan.cli --help
goto end

:nopython
echo.
echo 没有找到 Python {python_version}（64 位）。
echo 请先安装 Python {python_version}（如 python-3.11.9-amd64.exe，见“安装说明.txt”第一步），
echo 安装时勾选“Add python.exe to PATH”，然后重新运行本脚本。
goto failed

:pipfailed
echo.
echo 安装 juesuan 失败（原因见上方英文信息）。
echo 常见原因：Python 版本不是 {python_version}，或 Python 是 32 位的。请按“安装说明.txt”检查。
goto failed

:addinfailed
echo.
echo juesuan 已安装，命令行和 WPS 表格加载项可以使用；但没能自动安装 Excel 加载项
echo （电脑上没有 Microsoft Excel、Excel 正在运行，或没有权限）。
echo 只用 WPS 表格的电脑可以忽略这条提示。用 Excel 的：请关闭 Excel 后重新运行本脚本，
echo 或按“安装说明.txt”第四步手工安装加载项。
goto failed

:failed
echo.
pause
exit /b 1

:end
echo.
pause
exit /b 0
"""


def uninstall_bat(python_version: str) -> str:
    folder = _folder(python_version)
    return rf"""@echo off
chcp 936 >nul
setlocal EnableExtensions
cd /d "%~dp0"
title 决算助手卸载
set "PYEXE="
for /f "delims=" %%i in ('py -{python_version} -c "import sys; print(sys.executable)" 2^>nul') do set "PYEXE=%%i"
if defined PYEXE goto havepython
if exist "%LOCALAPPDATA%\Programs\Python\{folder}\python.exe" set "PYEXE=%LOCALAPPDATA%\Programs\Python\{folder}\python.exe"
if defined PYEXE goto havepython
echo 没有找到 Python {python_version}，无需卸载 juesuan。
goto end

:havepython
echo 请先关闭 Excel 和 WPS 表格。
pause
"%PYEXE%" -m juesuan.cli serve --stop >nul 2>nul
"%PYEXE%" -m juesuan.service.wps_install --uninstall
if exist "%APPDATA%\juesuan\service-token" del "%APPDATA%\juesuan\service-token"
"%PYEXE%" -m xlwings.cli addin remove -f juesuan.xlam
"%PYEXE%" -m pip uninstall -y juesuan xlwings
echo.
echo 已卸载决算助手（Excel 加载项、WPS 加载项、访问令牌）和 juesuan。
echo Python 本身请在“设置 - 应用”中卸载（如不再需要）。

:end
echo.
pause
"""


def install_notes(python_version: str, juesuan_version: str, platform: str, wheels: list[str]) -> str:
    folder = _folder(python_version)
    listing = "\n".join(f"    {name}" for name in wheels)
    return f"""决算助手（juesuan {juesuan_version}）离线安装说明
==========================================

本文件夹可以复制（U 盘、内网共享）到不能上网的电脑上安装，安装过程不需要连网。
适用：Windows 8.1 / 10 / 11（64 位），平台 {platform}，Python {python_version}（64 位）。

文件夹内容
----------
  安装.bat        一键安装（第二步）
  卸载.bat        卸载（第五步）
  juesuan.xlam    Excel 加载项（“决算助手”选项卡）；WPS 表格的加载项在 wheels 中，由安装.bat 安装
  standard.xlsm   带按钮的标准工作簿（不装加载项时使用，另存为自己的文件名后填写）
  standard.xlsx   空白标准工作簿（不带按钮，WPS 表格、LibreOffice 也可填写）
  wheels\\         juesuan 和它用到的全部程序包，请不要改动

第一步：安装 Python {python_version}（已安装的跳过）
--------------------------------------
1. 必须是 Python {python_version} 的 64 位版本（wheels 文件夹中的程序包只适用于这个版本）。
   推荐 python-3.11.9-amd64.exe（3.11 系列最后一个提供 Windows 安装程序的版本）。
2. 安装程序的来源：在能上网的电脑上从 https://www.python.org/downloads/windows/ 下载，
   或向本单位信息化部门索取；复制到本文件夹中，安装.bat 找不到 Python 时会自动为当前用户安装它。
3. 手工安装时，在安装程序第一页勾选“Add python.exe to PATH”，再点“Install Now”。
   不需要管理员权限（默认装在 %LOCALAPPDATA%\\Programs\\Python\\{folder}）。

第二步：运行安装.bat
--------------------
1. 如果本文件夹是从网上或邮件得到的压缩包解压出来的：先在压缩包上点右键 → 属性 →
   勾选“解除锁定” → 确定，再解压（否则 Excel 可能阻止加载项中的宏）。
2. 关闭 Excel。
3. 双击“安装.bat”。它会：找到 Python {python_version}；只从本文件夹安装 juesuan 及其依赖
   （不连网）；让 Excel 找到这个 Python（xlwings config create）；把 juesuan.xlam 装进
   Excel 的启动文件夹（XLSTART）；同时为 WPS 表格安装加载项“决算助手”并生成决算服务的
   访问令牌（见下文“WPS 表格”）。窗口最后显示“安装完成”即成功，按任意键关闭。
4. 电脑上没有 Microsoft Excel（如只用 WPS 表格）时，最后一步会提示没能安装 Excel 加载项，
   这不影响 WPS 加载项和命令行的使用。

第三步：检查是否安装成功
------------------------
1. 打开“命令提示符”，运行：  py -{python_version} -m juesuan.cli --version
   显示“juesuan {juesuan_version}”即命令行已装好（装 Python 时勾选了 PATH 的，也可以直接运行 juesuan --version）。
2. 审核一个工作簿试试：  py -{python_version} -m juesuan.cli check 单位.xlsx
3. 打开 Excel：功能区出现“决算助手”选项卡；打开一个标准工作簿，点“审核”，
   “审核结果”表中出现结果即为成功。
   若弹出“无法启动 Python”，请重新运行安装.bat，并确认 Python 是 {python_version} 的 64 位版本
   （与 Excel 是 32 位还是 64 位无关）。

第四步（仅在安装.bat 没能装上加载项时）：手工安装加载项
------------------------------------------------------
  Excel 中：文件 → 选项 → 加载项 → 下方“管理”选“Excel 加载项” → 转到 → 浏览，
  选中本文件夹中的 juesuan.xlam，勾选“决算助手”，确定。
  不想装加载项：也可以把 standard.xlsm 另存为自己的文件名（仍为 .xlsm）后填写，打开时点“启用内容”。

WPS 表格（“决算助手”WPS 加载项）
--------------------------------
  安装.bat 已为 WPS 表格装好加载项“决算助手”：复制到
  %APPDATA%\\kingsoft\\wps\\jsaddons\\juesuan_{juesuan_version}，并在同一文件夹的 publish.xml 中登记
  （其他加载项的登记保持不变）；又生成了决算服务的访问令牌 %APPDATA%\\juesuan\\service-token。
  电脑上还没有装 WPS 时也照样安装，装好 WPS 后即可使用。
  1. 重新打开 WPS 表格：功能区出现“决算助手”选项卡，按钮与 Excel 中相同（审核、填充计算、
     生成公开表、生成情况说明、清除标记）。点按钮时会自动在本机启动决算服务（只在本机 127.0.0.1 上工作，不连网）。
  2. 没有出现选项卡：确认 WPS 是 2019 或更新的版本，并请信息化部门确认本机的 WPS 没有禁用加载项；
     可以手工重装：  py -{python_version} -m juesuan.service.wps_install
     提示找不到访问令牌时运行：  py -{python_version} -m juesuan.cli serve --init-token
  3. WPS 加载项只在本机测试程序中验证过，尚未在真实的 WPS 中试用。
  统信 UOS、麒麟等 Linux 电脑请用 Linux 版离线安装包（其中的 安装.sh）。

LibreOffice 和命令行
--------------------
  按钮不能在 LibreOffice 中使用。LibreOffice 用户（以及任何人）都可以用命令行，功能相同，例如：
    py -{python_version} -m juesuan.cli check 单位.xlsx --write          审核并把结果写入“审核结果”表
    py -{python_version} -m juesuan.cli fill 单位.xlsx -o 已填充.xlsx     填充计算
    py -{python_version} -m juesuan.cli publish 单位.xlsx -o 公开表.xlsx  生成公开表
    py -{python_version} -m juesuan.cli narrate 单位.xlsx -o 情况说明.docx  生成情况说明
    py -{python_version} -m juesuan.cli batch 收件文件夹 --report 汇总.xlsx  批量审核

第五步：卸载
------------
  关闭 Excel 和 WPS 表格，双击“卸载.bat”：移除 Excel 加载项、WPS 加载项和访问令牌，卸载 juesuan 和 xlwings。
  也可以手工卸载：
    py -{python_version} -m juesuan.service.wps_install --uninstall
    py -{python_version} -m xlwings.cli addin remove -f juesuan.xlam
    py -{python_version} -m pip uninstall -y juesuan xlwings
  Python 本身在 Windows“设置 → 应用”中卸载。

升级：用新版本的离线安装包再运行一次安装.bat 即可（会先卸载旧版 juesuan）。

wheels 文件夹中的程序包
-----------------------
{listing}
"""
