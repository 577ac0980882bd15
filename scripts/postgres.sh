#!/usr/bin/env bash
# Starts a private PostgreSQL cluster for Lantern's PostgreSQL tests and prints its URL.
#
#   export LANTERN_TEST_POSTGRES_URL=$(scripts/postgres.sh)
#   cargo test -p lantern-store-postgres --features postgres-tests
#
# Idempotent: installs Debian's postgresql if its binaries are missing, initialises the cluster
# once, starts it if it is not running, and creates the role `lantern` (password `lantern`) and
# the database `lantern_test` if they are missing. The only line on stdout is the URL; all else
# goes to stderr.
#
# LANTERN_PG_DIR   the cluster's data directory (default: $PWD/target/pg, or /tmp/lantern-pg
#                  when the postgres user cannot reach $PWD/target)
# LANTERN_PG_PORT  the port, on 127.0.0.1 only (default: 55432)
#
# The cluster is for tests only: it trades durability for speed (fsync off).
set -euo pipefail

exec 3>&1 1>&2

port="${LANTERN_PG_PORT:-55432}"
if [[ ! "$port" =~ ^[0-9]+$ ]]; then
    echo "LANTERN_PG_PORT must be a port number, not '$port'" >&2
    exit 1
fi

find_bin_dir() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [[ -n "$dir" && -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then
        echo "$dir"
    fi
}

bin_dir=$(find_bin_dir)
if [[ -z "$bin_dir" ]]; then
    if [[ $EUID -ne 0 ]]; then
        echo "PostgreSQL is not installed and installing it needs root: apt-get install postgresql" >&2
        exit 1
    fi
    echo "installing postgresql with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends postgresql
    bin_dir=$(find_bin_dir)
    if [[ -z "$bin_dir" ]]; then
        echo "postgresql was installed but no initdb and pg_ctl were found in /usr/lib/postgresql/*/bin" >&2
        exit 1
    fi
fi

# PostgreSQL refuses to run as root: as root, run its tools as the postgres user.
if [[ $EUID -eq 0 ]]; then
    owner=postgres
    as_owner() { runuser -u postgres -- "$@"; }
else
    owner=$(id -un)
    as_owner() { "$@"; }
fi

# True when the cluster owner can reach and search directory $1 (every ancestor included).
owner_can_enter() {
    as_owner test -x "$1"
}

if [[ -n "${LANTERN_PG_DIR:-}" ]]; then
    data_dir="$LANTERN_PG_DIR"
    mkdir -p "$(dirname "$data_dir")"
    if ! owner_can_enter "$(dirname "$data_dir")"; then
        echo "$owner cannot reach $(dirname "$data_dir"); choose another LANTERN_PG_DIR" >&2
        exit 1
    fi
else
    data_dir="$PWD/target/pg"
    mkdir -p "$PWD/target"
    if ! owner_can_enter "$PWD/target"; then
        data_dir=/tmp/lantern-pg
    fi
fi

if [[ ! -f "$data_dir/PG_VERSION" ]]; then
    echo "initialising a cluster in $data_dir" >&2
    mkdir -p "$data_dir"
    chown "$owner" "$data_dir"
    chmod 700 "$data_dir"
    # Local connections trust the OS user: the socket lives in the data directory, which only
    # the owner can enter. TCP connections must give a password.
    as_owner "$bin_dir/initdb" --pgdata="$data_dir" --username=postgres --encoding=UTF8 --locale=C \
        --auth-local=trust --auth-host=scram-sha-256
fi

start_options="-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$data_dir"
start_options+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
if ! as_owner "$bin_dir/pg_ctl" status --pgdata="$data_dir" >/dev/null 2>&1; then
    echo "starting PostgreSQL on 127.0.0.1:$port" >&2
    # The server must not inherit fd 3 (our stdout): a caller capturing the URL with $(...)
    # would wait for the server to exit.
    as_owner "$bin_dir/pg_ctl" start --pgdata="$data_dir" --log="$data_dir/server.log" --wait \
        --options="$start_options" 3>&-
fi

psql_admin() {
    as_owner "$bin_dir/psql" --host="$data_dir" --port="$port" --username=postgres --dbname=postgres \
        --no-psqlrc --quiet --tuples-only --no-align --set=ON_ERROR_STOP=1 "$@"
}

if ! psql_admin --command="SELECT 1" >/dev/null; then
    echo "PostgreSQL in $data_dir runs, but not on port $port (see $data_dir/server.log)" >&2
    exit 1
fi
if [[ -z "$(psql_admin --command="SELECT 1 FROM pg_roles WHERE rolname = 'lantern'")" ]]; then
    psql_admin --command="CREATE ROLE lantern LOGIN PASSWORD 'lantern'"
fi
if [[ -z "$(psql_admin --command="SELECT 1 FROM pg_database WHERE datname = 'lantern_test'")" ]]; then
    psql_admin --command="CREATE DATABASE lantern_test OWNER lantern"
fi

echo "postgres://lantern:lantern@127.0.0.1:$port/lantern_test" >&3
