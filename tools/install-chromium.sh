#!/usr/bin/env bash
# Debian's Chromium for the explorer's browser test (`make browser`, run by `make validate`).
# Playwright drives this binary (executable_path=/usr/bin/chromium): it downloads no browser.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "install Debian's 'chromium' package as root (apt-get install chromium)" >&2; exit 1; }
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q chromium
