#!/usr/bin/env bash
# `make browser-deps` (run by `make integration`): the system packages the HTML report's browser test needs
# (tests/integration/netsec_audit/test_audit_report_browser.py): Debian's chromium, to render the report
# headless and screenshot it, and tesseract-ocr with its English data, to read the screenshot back.
# Does nothing when /usr/bin/chromium and /usr/bin/tesseract (with English) are there; otherwise installs
# them with apt-get (as root, or through sudo), without the recommended packages: chromium's recommends
# (a notification daemon, upower, printing, Mesa) are desktop parts headless use does not need, and the fonts
# come from chromium's own dependencies (fontconfig pulls fonts-dejavu-core).
set -euo pipefail

packages=(chromium tesseract-ocr tesseract-ocr-eng)

fail() {
    echo "browser-deps: $*" >&2
    exit 1
}

installed() {
    [[ -x /usr/bin/chromium && -x /usr/bin/tesseract ]] &&
        /usr/bin/tesseract --list-langs 2>/dev/null | grep -x eng >/dev/null
}

if installed; then
    exit 0
fi

if ! command -v apt-get >/dev/null; then
    fail "/usr/bin/chromium or /usr/bin/tesseract (English) is missing and there is no apt-get to install" \
        "${packages[*]}; install them with the system's package manager"
fi

sudo=()
if [[ ${EUID} -ne 0 ]]; then
    command -v sudo >/dev/null ||
        fail "installing ${packages[*]} needs root: run this script as root, or install sudo"
    sudo=(sudo)
fi

echo "browser-deps: installing ${packages[*]} with apt-get"
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq ||
    fail "apt-get update failed (is the Debian mirror reachable?)"
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" ||
    fail "apt-get install ${packages[*]} failed"

installed || fail "${packages[*]} installed, but /usr/bin/chromium or /usr/bin/tesseract (English) is missing"
echo "browser-deps: $(/usr/bin/tesseract --version 2>&1 | head -n 1), $(/usr/bin/chromium --version 2>/dev/null)"
