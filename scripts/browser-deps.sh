#!/usr/bin/env bash
# Makes sure the browser tests have what they need: Debian's chromium and a
# CJK font (without one, Chinese renders as empty boxes). Installs them with
# apt-get when they are missing and we are root; otherwise says what to install.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
fc-list 2>/dev/null | grep -qi 'CJK' || need+=(fonts-noto-cjk)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing ${need[*]} for the browser tests ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  exit 0
fi
echo "The browser tests need: ${need[*]}. Install them (Debian: sudo apt-get install ${need[*]}) and run make test again." >&2
exit 1
