# Shared by the deploy/bench/compare-* scripts (sourced, not run).
# shellcheck shell=bash disable=SC2034  # the variables are used by the scripts that source this file

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$BENCH_DIR/../.." && pwd)
OUT_DIR="$BENCH_DIR/out"
PY=/usr/bin/python3            # Debian's Python: the references must not depend on a pyenv shim
TOUCHPOINT_BENCH=${TOUCHPOINT_BENCH:-$REPO_DIR/.build/release/touchpoint-bench}
NOT_BUILT_MESSAGE="touchpoint-bench not built: run swift build -c release --product touchpoint-bench"

say() { printf '%s: %s\n' "$(basename "$0")" "$*" >&2; }
die() { say "error: $*"; exit 1; }

# Installs the Debian packages that are missing (one apt-get call for all of them).
ensure_packages() {
    local missing=() pkg
    for pkg in "$@"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    say "installing Debian packages: ${missing[*]}"
    local sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    if ! "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends "${missing[@]}" >&2; then
        "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=300 update >&2
        "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends "${missing[@]}" >&2
    fi
}

# True when the Swift benchmark executable exists; otherwise says how to build it.
have_touchpoint_bench() {
    if [ -x "$TOUCHPOINT_BENCH" ]; then return 0; fi
    say "$NOT_BUILT_MESSAGE"
    return 1
}

# logfmt_field LINE KEY -> the value of KEY=... in LINE (empty when absent).
logfmt_field() {
    local line=" $1" key=$2
    [[ $line =~ [[:space:]]$key=([^[:space:]]*) ]] && printf '%s' "${BASH_REMATCH[1]}"
    return 0
}

# timed OUTFILE COMMAND...: runs COMMAND with /usr/bin/time; stdout goes to OUTFILE, and the last line of
# OUTFILE.time holds "wall user sys maxrss_kb".  Returns the command's status.
timed() {
    local out=$1; shift
    /usr/bin/time -f '%e %U %S %M' -o "$out.time" "$@" >"$out"
}

# result_line OUTFILE: the last logfmt line of a timed run, extended with the client's CPU seconds and
# peak RSS as measured from outside (cpu_seconds, client_rss_mb) so every tool is measured the same way.
result_line() {
    local out=$1 line wall user sys rss
    line=$(grep -E '^bench=' "$out" | tail -n1 || true)
    read -r wall user sys rss < <(tail -n1 "$out.time")
    awk -v line="$line" -v wall="$wall" -v user="$user" -v sys="$sys" -v rss="$rss" 'BEGIN {
        printf "%s wall_seconds=%s cpu_seconds=%.2f client_rss_mb=%.1f\n", line, wall, user + sys, rss / 1024 }' 
}

# dovecot_cpu_seconds: CPU seconds (user + sys) used so far by the stack's Dovecot: its master, the
# live children (imap-login, auth, ...) and the children it has reaped (each connection's imap process).
# Take it before and after a run, with the client logged out, for the server's share of the work.
dovecot_cpu_seconds() {
    local master pid ticks=0 fields
    master=$(cat "$TP_STACK_DIR/dovecot/run/master.pid" 2>/dev/null) || { echo 0; return; }
    for pid in "$master" $(pgrep -P "$master"); do
        fields=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null) || continue
        # after "pid (comm) ": state is field 1, utime 12, stime 13, cutime 14, cstime 15
        ticks=$((ticks + $(awk '{print $12 + $13 + $14 + $15}' <<<"$fields")))
    done
    awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.2f", t / hz}'
}

# use_stack: sources the env of the running local stack ($TP_STACK_DIR/env), or starts one with
# deploy/local/stack (this repository's, else $TP_STACK) and stops it at exit.
STARTED_STACK=""
stop_started_stack() {
    if [ -n "$STARTED_STACK" ]; then
        say "stopping the stack this script started ($STARTED_STACK)"
        "$TP_STACK" stop "$STARTED_STACK" >&2 || true
    fi
}
use_stack() {
    if [ -n "${TP_STACK_DIR:-}" ] && [ -f "$TP_STACK_DIR/env" ]; then
        say "using the running stack in $TP_STACK_DIR"
        # shellcheck disable=SC1091
        . "$TP_STACK_DIR/env"
    else
        local stack_script="" candidate env_file
        for candidate in "$REPO_DIR/deploy/local/stack" "${TP_STACK:-}"; do
            if [ -n "$candidate" ] && [ -x "$candidate" ]; then stack_script=$candidate; break; fi
        done
        [ -n "$stack_script" ] || die "no running stack (TP_STACK_DIR unset) and no deploy/local/stack to start one"
        say "starting a stack with $stack_script"
        trap stop_started_stack EXIT
        env_file=$("$stack_script" start --owner $$ | tail -n1)
        STARTED_STACK=$(dirname "$env_file")
        # shellcheck disable=SC1090
        . "$env_file"
    fi
    : "${TP_STACK:?the stack env file lacks TP_STACK}"
}

# The machine is shared: every table ends with the load around the measurement, so readers can judge noise.
LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)
load_note() {
    printf -- '\n- machine: %s cores, load average (1/5/15 min) %s at start, %s at the end.\n' \
        "$(nproc)" "$LOAD_AT_START" "$(cut -d' ' -f1-3 /proc/loadavg)"
}
