#!/usr/bin/env bash
# gatewayd developer entry point, for a fresh Debian 12 machine.
#
#   ./dev.sh run        install build dependencies, build, start gatewayd
#                       on etc/gatewayd.conf (Ctrl-C stops it)
#   ./dev.sh test       install build + test dependencies (apt, npm ci),
#                       build, run unit and integration tests
#   ./dev.sh sanitize   the same tests on an ASan+UBSan build (_build-asan)
#   ./dev.sh fuzz [S]   build the libFuzzer harnesses with clang and run
#                       each for S seconds (default 60)
#   ./dev.sh bench      build and run the benchmarks
#
# Works as root or as a normal user with sudo (only apt-get needs it).
# Every test command's results are summed into one closing line
# "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")"
TOP=$PWD
JOBS=$(nproc 2>/dev/null || echo 2)

BUILD_PKGS=(build-essential autoconf automake libtool libtool-bin pkg-config
            libevent-dev libmodbus-dev libwebsockets-dev libwebsockets-evlib-ev libev-dev
            libjson-c-dev libltdl-dev libglib2.0-dev libsystemd-dev)
# systemd: systemd-analyze verify for the unit; groff: man page checks; python3: the notify socket
TEST_PKGS=(mbpoll socat chromium ca-certificates openssl systemd groff-base python3)
FUZZ_PKGS=(clang libclang-rt-14-dev)

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"
    elif command -v sudo >/dev/null; then sudo "$@"
    else echo "dev.sh: need root to run '$*': install sudo or run as root" >&2; exit 1
    fi
}

apt_install() {
    local missing=()
    for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p"); done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "== installing: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

node_install() {
    # Debian's nodejs (18) is enough; keep a newer one if the machine has it.
    command -v node >/dev/null && command -v npm >/dev/null || apt_install nodejs npm
    echo "== npm ci (node $(node --version))"
    npm ci --no-audit --no-fund --loglevel=error >/dev/null
}

build() { # build DIR [configure args...]
    local dir=$1; shift
    [ -x configure ] || { echo "== autogen"; ./autogen.sh >/dev/null 2>&1; }
    mkdir -p "$dir"
    if [ ! -f "$dir/Makefile" ]; then
        echo "== configure $dir $*"
        (cd "$dir" && "$TOP/configure" -q "$@" >/dev/null)
    fi
    echo "== make ($dir)"
    make -C "$dir" -j"$JOBS" -s >/dev/null
}

PASSED=0
FAILED=0
count() { PASSED=$((PASSED + $1)); FAILED=$((FAILED + $2)); }

# make check: sum the TAP results of every test-suite.log.
unit_tests() { # DIR
    local dir=$1 log rc=0
    echo "== unit tests ($dir)"
    make -C "$dir" -j"$JOBS" -s check >/tmp/gw-check.$$ 2>&1 || rc=$?
    grep -E '^(FAIL|ERROR):' /tmp/gw-check.$$ || true
    local p f e
    p=$(grep -E '^# PASS:' /tmp/gw-check.$$ | awk '{s+=$3} END {print s+0}')
    f=$(grep -E '^# FAIL:' /tmp/gw-check.$$ | awk '{s+=$3} END {print s+0}')
    e=$(grep -E '^# ERROR:' /tmp/gw-check.$$ | awk '{s+=$3} END {print s+0}')
    [ "$rc" -ne 0 ] && [ $((f + e)) -eq 0 ] && { tail -30 /tmp/gw-check.$$; e=1; }
    echo "   unit: $p passed, $((f + e)) failed"
    count "$p" $((f + e))
    rm -f /tmp/gw-check.$$
}

# node --test, one file at a time (ports and CPU are shared).
integration_tests() { # DIR
    local dir=$1 f out p fl
    echo "== integration tests ($dir)"
    shopt -s nullglob
    for f in tests/integration/*.test.js tests/robustness/*.test.js; do
        out=$(GW_BUILDDIR="$TOP/$dir" node --test "$f" 2>&1) || true
        p=$(echo "$out" | sed -n 's/^# pass //p' | tail -1)
        fl=$(echo "$out" | sed -n 's/^# fail //p' | tail -1)
        p=${p:-0}; fl=${fl:-1}
        printf '   %-46s %3s passed, %s failed\n' "${f#tests/}" "$p" "$fl"
        [ "$fl" != 0 ] && echo "$out" | grep -E -A40 '^not ok' | head -80
        count "$p" "$fl"
    done
}

summary() {
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" -eq 0 ]
}

case "${1:-}" in
run)
    apt_install "${BUILD_PKGS[@]}"
    build _build
    echo "== starting gatewayd (Ctrl-C to stop)"
    exec _build/core/gatewayd -c etc/gatewayd.conf
    ;;
test)
    apt_install "${BUILD_PKGS[@]}" "${TEST_PKGS[@]}"
    node_install
    build _build
    unit_tests _build
    integration_tests _build
    summary
    ;;
sanitize)
    apt_install "${BUILD_PKGS[@]}" "${TEST_PKGS[@]}"
    [ -d node_modules ] || node_install
    build _build-asan --enable-sanitizers
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    export LSAN_OPTIONS=suppressions=$TOP/tests/lsan.supp GATEWAYD_KEEP_MODULES=1
    unit_tests _build-asan
    integration_tests _build-asan
    summary
    ;;
fuzz)
    apt_install "${BUILD_PKGS[@]}" "${FUZZ_PKGS[@]}"
    build _build-fuzz --enable-fuzzing CC=clang
    secs=${2:-60}
    echo "== fuzzing, $secs s per harness"
    make -C _build-fuzz/fuzz -s fuzz_PROGS= all >/dev/null
    progs=$(make -C _build-fuzz/fuzz -s print-fuzz-progs 2>/dev/null)
    make -C _build-fuzz/fuzz -s $progs >/dev/null
    for p in $progs; do
        mkdir -p "_build-fuzz/fuzz/corpus-run/$p"
        seeds=fuzz/corpus/$p; [ -d "$seeds" ] || seeds=
        if (cd _build-fuzz/fuzz && ./"$p" -max_total_time="$secs" -print_final_stats=1 "corpus-run/$p" ${seeds:+"$TOP/$seeds"} >"$p.log" 2>&1); then
            printf '   %-28s ok (%s runs)\n' "$p" "$(sed -n 's/^stat::number_of_executed_units: *//p' "_build-fuzz/fuzz/$p.log")"
            count 1 0
        else
            printf '   %-28s FAILED\n' "$p"; tail -40 "_build-fuzz/fuzz/$p.log"; count 0 1
        fi
    done
    summary
    ;;
bench)
    apt_install "${BUILD_PKGS[@]}"
    build _build
    make -C _build -s bench
    ;;
*)
    sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
