#!/usr/bin/env bash
# Installs what the browser test needs: Debian's Chromium, its WebDriver (chromedriver), and
# CJK fonts so that screenshots of the Chinese pages show text rather than empty boxes.
# Idempotent: installs only what is missing.
#
#   scripts/browser.sh
#   cargo test -p lantern-server --features browser-tests --test browser
set -euo pipefail

packages=(chromium chromium-driver fonts-noto-cjk)

installed() {
    [[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) == "install ok installed" ]]
}

missing=()
for package in "${packages[@]}"; do
    installed "$package" || missing+=("$package")
done
if [[ ! -x /usr/bin/chromium || ! -x /usr/bin/chromedriver ]]; then
    missing+=(chromium chromium-driver)
fi

if [[ ${#missing[@]} -eq 0 ]]; then
    echo "chromium, chromedriver and CJK fonts are installed"
    exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then
    sudo="sudo"
fi

$sudo apt-get update
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}"

/usr/bin/chromium --version
/usr/bin/chromedriver --version
