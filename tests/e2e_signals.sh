#!/usr/bin/env bash
# End to end: the editor killed by a signal in a real terminal (tmux, on a server of its own).
# For each of SIGHUP, SIGTERM, SIGINT and SIGQUIT: open a private (0600) copy of design 1,
# delete two components in one burst of keys and, once the editor shows them gone, send the
# signal. The editor must exit with 128 + the signal's number, leave the terminal in its normal
# (cooked) mode, and write a recovery file as private as the design holding both deletions; the
# next `infraplan edit` of the design must offer it and open it. (The signal is sent only after
# the keys were read: sent at once, it may arrive before the editor has read any of them, when
# there is no unsaved work to recover. A crash in the middle of a burst is the F12 test of
# `INFRAPLAN_TEST_PANIC`.)
#
# Usage: tests/e2e_signals.sh          (builds with cargo unless INFRAPLAN_BIN is set)
set -euo pipefail

cd "$(dirname "$0")/.."
command -v tmux >/dev/null || { echo "e2e_signals: tmux is not installed" >&2; exit 2; }
BIN=${INFRAPLAN_BIN:-}
if [ -z "$BIN" ]; then
    cargo build -q
    BIN=$PWD/target/debug/infraplan
fi

WORK=$(mktemp -d)
TMUX_SOCKET="infraplan-signals-$$"
T() { tmux -L "$TMUX_SOCKET" "$@"; }
cleanup() {
    T kill-server 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
# A session that outlives the others keeps the server up between them.
T new-session -d -s keep "sleep 600"

fail() {
    echo "e2e_signals: FAIL: $*" >&2
    T capture-pane -p -t run >&2 2>/dev/null || true
    exit 1
}

wait_for() {
    for _ in $(seq 1 100); do
        if T capture-pane -p -t run 2>/dev/null | grep -qF -- "$1"; then
            return 0
        fi
        sleep 0.1
    done
    fail "timed out waiting for: $1"
}

components() { grep -c '^\[\[components\]\]' "$1"; }

for sig in ${SIGNALS:-HUP TERM INT QUIT}; do
    num=$(kill -l "$sig")
    dir="$WORK/$sig"
    mkdir -p "$dir"
    cp designs/01-simple.toml "$dir/site.toml"
    chmod 600 "$dir/site.toml"
    before=$(components "$dir/site.toml")
    T new-session -d -s run -x 120 -y 40 \
        "cd '$dir'; XDG_STATE_HOME='$dir/state' '$BIN' edit site.toml 2>err; echo \$? >rc; stty -a >stty; sleep 30"
    wait_for "opened site.toml"
    pid=$(pgrep -P "$(T list-panes -t run -F '#{pane_pid}')" infraplan) || fail "no editor process"
    # Two deletions in one burst; the signal once they are handled.
    T send-keys -t run Tab d Tab d
    wait_for "$((before - 2)) components"
    kill -s "$sig" "$pid"
    for _ in $(seq 1 100); do [ -s "$dir/rc" ] && break; sleep 0.1; done
    [ -s "$dir/rc" ] || fail "SIG$sig: the editor did not exit"
    rc=$(cat "$dir/rc")
    [ "$rc" = $((128 + num)) ] || fail "SIG$sig: exit status $rc, expected $((128 + num))"
    grep -qw -- "icanon" "$dir/stty" && ! grep -qw -- "-icanon" "$dir/stty" \
        || fail "SIG$sig: the terminal was left in raw mode"
    grep -qF "stopped by SIG$sig" "$dir/err" || fail "SIG$sig: no message: $(cat "$dir/err")"
    rec=$(ls "$dir"/site.recovered-*.toml 2>/dev/null | head -1 || true)
    [ -n "$rec" ] || fail "SIG$sig: no recovery file"
    mode=$(stat -c %a "$rec")
    [ "$mode" = 600 ] || fail "SIG$sig: recovery file mode $mode, the design's is 600"
    after=$(components "$rec")
    [ "$after" = $((before - 2)) ] \
        || fail "SIG$sig: recovery has $after components, expected $((before - 2)) (both deletions)"
    "$BIN" validate "$rec" >/dev/null || fail "SIG$sig: the recovery file is not a valid design"
    T kill-session -t run
    # The next open offers the recovered design, and y opens it.
    T new-session -d -s run -x 120 -y 40 \
        "cd '$dir'; XDG_STATE_HOME='$dir/state' '$BIN' edit site.toml; sleep 30"
    wait_for "Recovered work"
    T send-keys -t run y
    wait_for "opened the design recovered from"
    wait_for "$after components"
    T kill-session -t run
    echo "e2e_signals: ok: SIG$sig (exit $rc, recovery $(basename "$rec"), mode $mode, $before → $after components)"
done

# A panic in the middle of a burst of keys: the keys before it were handled, the terminal is
# restored, one line says what broke and where the unsaved design went (no backtrace).
dir="$WORK/panic"
mkdir -p "$dir"
cp designs/01-simple.toml "$dir/site.toml"
chmod 600 "$dir/site.toml"
before=$(components "$dir/site.toml")
T new-session -d -s run -x 120 -y 40 \
    "cd '$dir'; unset RUST_BACKTRACE; INFRAPLAN_TEST_PANIC=1 XDG_STATE_HOME='$dir/state' '$BIN' edit site.toml 2>err; echo \$? >rc; stty -a >stty; sleep 30"
wait_for "opened site.toml"
T send-keys -t run Tab d Tab d F12
for _ in $(seq 1 100); do [ -s "$dir/rc" ] && break; sleep 0.1; done
[ -s "$dir/rc" ] || fail "panic: the editor did not exit"
rc=$(cat "$dir/rc")
[ "$rc" != 0 ] || fail "panic: exit status 0"
grep -qw -- "icanon" "$dir/stty" && ! grep -qw -- "-icanon" "$dir/stty" \
    || fail "panic: the terminal was left in raw mode"
grep -qF "the editor crashed (test panic requested with F12" "$dir/err" \
    || fail "panic: no one-line message: $(cat "$dir/err")"
grep -qF "stack backtrace" "$dir/err" && { cat "$dir/err" >&2; fail "panic: a backtrace was printed"; }
[ "$(wc -l <"$dir/err")" -le 2 ] || fail "panic: more than two lines: $(cat "$dir/err")"
rec=$(ls "$dir"/site.recovered-*.toml 2>/dev/null | head -1 || true)
[ -n "$rec" ] || fail "panic: no recovery file"
grep -qF "$(basename "$rec")" "$dir/err" || fail "panic: the message does not say where the work went"
[ "$(stat -c %a "$rec")" = 600 ] || fail "panic: recovery file mode $(stat -c %a "$rec")"
after=$(components "$rec")
[ "$after" = $((before - 2)) ] \
    || fail "panic: recovery has $after components, expected $((before - 2)) (the keys before the panic)"
T kill-session -t run
echo "e2e_signals: ok: panic (exit $rc, one line, recovery $(basename "$rec"), $before → $after components)"

# The terminal itself closed (a window closed, an ssh session dropped), with an unsaved edit:
# the editor must notice, write the recovery file and exit, not read the dead terminal forever.
dir="$WORK/hangup"
mkdir -p "$dir"
cp designs/01-simple.toml "$dir/site.toml"
before=$(components "$dir/site.toml")
T new-session -d -s run -x 120 -y 40 \
    "cd '$dir'; XDG_STATE_HOME='$dir/state' exec '$BIN' edit site.toml"
wait_for "opened site.toml"
pid=$(T list-panes -t run -F '#{pane_pid}')
T send-keys -t run Tab d
wait_for "$((before - 1)) components"
T kill-session -t run
for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then
    kill -9 "$pid"
    fail "hang-up: the editor was still running 5 s after its terminal closed"
fi
rec=$(ls "$dir"/site.recovered-*.toml 2>/dev/null | head -1 || true)
[ -n "$rec" ] || fail "hang-up: no recovery file"
after=$(components "$rec")
[ "$after" = $((before - 1)) ] || fail "hang-up: recovery has $after components, expected $((before - 1))"
echo "e2e_signals: ok: terminal closed (editor gone, recovery $(basename "$rec"), $before → $after components)"
