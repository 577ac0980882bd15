#!/usr/bin/env bash
# Checks a running Lantern log with an independent verifier: tools/c2sp-verify, written in Go
# against Go's own signed-note and tiled-Merkle-log packages (golang.org/x/mod/sumdb/note and
# sumdb/tlog), sharing no code with Lantern. Installs Go and that module from Debian's packages
# when missing (nothing comes from the Go module proxy), vets, tests and builds the tool into
# target/, then runs it: exit status 0 when the log verifies.
#
#   scripts/c2sp-verify.sh http://127.0.0.1:8080 "$(curl -s http://127.0.0.1:8080/log/key)"
#
# Take the verifier key from a source you trust (`lantern admin log-key` on the server's data
# directory), not from the server being checked, unless you are testing it.
set -euo pipefail

if [[ $# -ne 2 ]]; then
    echo "usage: $0 SERVER_URL VERIFIER_KEY" >&2
    exit 2
fi
cd "$(dirname "$0")/.."

packages=(golang-go golang-golang-x-mod-dev)

installed() {
    [[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) == "install ok installed" ]]
}

missing=()
for package in "${packages[@]}"; do
    installed "$package" || missing+=("$package")
done
if [[ ${#missing[@]} -gt 0 ]]; then
    sudo=""
    if [[ $(id -u) -ne 0 ]]; then
        sudo="sudo"
    fi
    # Package logs go to stderr: stdout carries the verifier's report alone.
    $sudo apt-get update >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends \
        "${missing[@]}" >&2
fi

# GOPATH mode over Debian's source tree: no module download is possible or attempted.
export GO111MODULE=off GOPATH=/usr/share/gocode GOPROXY=off GOFLAGS=
export GOCACHE="${GOCACHE:-$PWD/target/go-build-cache}"
mkdir -p target
(
    cd tools/c2sp-verify
    go vet . >&2
    go test . >&2
    go build -o ../../target/c2sp-verify .
)
exec target/c2sp-verify "$1" "$2"
