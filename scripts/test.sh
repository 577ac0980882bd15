#!/usr/bin/env bash
# Runs every check and test: formatting, lints, docs, the unit and integration tests, the store
# conformance suite on SQLite and on a real PostgreSQL, and the browser tests in headless
# Chromium. Installs and starts PostgreSQL and Chromium when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*" >&2; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy -D warnings"
cargo clippy --workspace --all-targets --all-features --locked -- -D warnings

step "cargo doc -D warnings"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked --quiet

step "PostgreSQL for the store conformance suite"
LANTERN_TEST_POSTGRES_URL="$(scripts/postgres.sh)"
export LANTERN_TEST_POSTGRES_URL

step "Chromium and ChromeDriver for the browser tests"
scripts/browser.sh

step "cargo test (all features: PostgreSQL and browser suites included)"
cargo test --workspace --all-features --locked
