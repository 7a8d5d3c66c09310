#!/usr/bin/env bash
# vledger's test command (README.md, "Run the tests"): finds what the tests
# need, installs what is missing from Debian's packages when run as root
# (otherwise names it and stops), then runs the whole test suite. Extra
# arguments go to `cargo test`, e.g. `./test.sh -p vledger-tests --test postgres`.
#
# The tests need: Go and golang.org/x/mod (the reference tlog and note, an
# independent implementation), PostgreSQL (the PostgreSQL backend and its
# end-to-end tests start their own server), Node.js and npm (the browser
# verifier's tests), nginx (serving a mirror) and Chromium (the HTML report).
set -euo pipefail
cd "$(dirname "$0")"

missing=()
if ! command -v go >/dev/null || [ ! -d /usr/share/gocode/src/golang.org/x/mod/sumdb ]; then
    missing+=(golang-go golang-golang-x-mod-dev)
fi
compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null || missing+=(postgresql)
command -v npm >/dev/null || missing+=(nodejs npm)
[ -x /usr/sbin/nginx ] || missing+=(nginx)
[ -x /usr/bin/chromium ] || missing+=(chromium)

if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "test.sh: missing Debian packages: ${missing[*]}" >&2
        echo "test.sh: install them (sudo apt-get install ${missing[*]}) or run this script as root" >&2
        exit 1
    fi
    echo "test.sh: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
fi

exec cargo test --workspace --locked "$@"
