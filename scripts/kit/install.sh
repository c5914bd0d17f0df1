#!/bin/sh
# branchtool @VERSION@ offline installer for macOS and Linux: `sh install.sh`
# (on a USB stick the file may have lost its execute bit, so `sh` it).
# Finds a Python 3.11-3.13 and runs install.py from this kit with it.
set -u
KIT=$(cd "$(dirname "$0")" && pwd -P) || exit 1

for candidate in python3.13 python3.12 python3.11 python3 python \
    /Library/Frameworks/Python.framework/Versions/3.13/bin/python3 \
    /Library/Frameworks/Python.framework/Versions/3.12/bin/python3 \
    /Library/Frameworks/Python.framework/Versions/3.11/bin/python3 \
    /opt/homebrew/bin/python3 /usr/local/bin/python3; do
  found=$(command -v "$candidate" 2>/dev/null) || continue
  # macOS' /usr/bin/python3 without the developer tools only opens a dialog
  # offering to download them: skip it when they are not installed.
  if [ "$found" = /usr/bin/python3 ] && [ "$(uname)" = Darwin ] &&
     ! xcode-select -p >/dev/null 2>&1; then
    continue
  fi
  if "$found" -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 13))' \
       >/dev/null 2>&1; then
    exec "$found" "$KIT/install.py" "$@"
  fi
done

case "${LC_ALL:-${LC_MESSAGES:-${LANG:-}}}" in
  zh*|"") chinese=1 ;;
  *) chinese=0 ;;
esac
if [ "$chinese" = 1 ]; then
  echo "没有找到 Python 3.11、3.12 或 3.13。"
  if [ "$(uname)" = Darwin ]; then
    echo "请先安装 python.org 的 macOS 安装包（安装包 python 文件夹里有就用它），再运行 sh install.sh。"
  else
    echo "请用系统的软件包安装 python3（3.11 或更新），再运行 sh install.sh。见 安装说明.txt。"
  fi
else
  echo "No Python 3.11, 3.12 or 3.13 was found."
  if [ "$(uname)" = Darwin ]; then
    echo "Install python.org's macOS installer (use the one in the kit's python folder if there is one), then run sh install.sh again."
  else
    echo "Install python3 (3.11 or newer) from your system's packages, then run sh install.sh again. See INSTALL.txt."
  fi
fi
exit 1
