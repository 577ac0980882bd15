#!/usr/bin/env bash
# Installs what the browser tests need: Debian's Chromium, its WebDriver (chromedriver), CJK
# fonts so that screenshots of the Chinese pages show text rather than empty boxes, and axe-core
# (the WCAG rules engine the accessibility test injects into each page) from the npm registry,
# at the version pinned in crates/lantern-server/tests/axe/package-lock.json.
# Idempotent: installs only what is missing.
#
#   scripts/browser.sh
#   cargo test -p lantern-server --features browser-tests --test browser
set -euo pipefail

cd "$(dirname "$0")/.."

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

if ! command -v npm >/dev/null; then
    missing+=(nodejs npm)
fi

if [[ ${#missing[@]} -gt 0 ]]; then
    sudo=""
    if [[ $(id -u) -ne 0 ]]; then
        sudo="sudo"
    fi
    $sudo apt-get update
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}"
fi
/usr/bin/chromium --version
/usr/bin/chromedriver --version

axe=crates/lantern-server/tests/axe
if [[ ! -f $axe/node_modules/axe-core/axe.min.js ]]; then
    npm ci --prefix "$axe" --no-audit --no-fund
fi
echo "axe-core $(node -p "require('./$axe/node_modules/axe-core/package.json').version")"
