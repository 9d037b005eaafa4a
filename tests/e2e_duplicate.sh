#!/usr/bin/env bash
# End to end: the real binary in tmux turns design 3 into design 4 with the go-to picker (/),
# the pickers in forms and duplicate (D), sending the keys of tests/fixtures/design3-to-4.keys,
# saves, quits, and checks that the saved file has design 4's shape: its servers, clusters,
# components (kind, server, cluster, role), links and DNS record. Prints the number of keys.
#
# Usage: tests/e2e_duplicate.sh            (builds with cargo unless INFRAPLAN_BIN is set)
set -euo pipefail

cd "$(dirname "$0")/.."
command -v tmux >/dev/null || { echo "e2e_duplicate: tmux is not installed" >&2; exit 2; }
BIN=${INFRAPLAN_BIN:-}
if [ -z "$BIN" ]; then
    cargo build -q
    BIN=$PWD/target/debug/infraplan
fi

WORK=$(mktemp -d)
SESSION="infraplan-e2e-dup-$$"
cleanup() {
    tmux kill-session -t "$SESSION" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
cp designs/03-secured-monitored.toml "$WORK/site.toml"

fail() {
    echo "e2e_duplicate: FAIL: $*" >&2
    echo "---- pane ----" >&2
    tmux capture-pane -p -t "$SESSION" >&2 2>/dev/null || true
    exit 1
}

wait_for() {
    for _ in $(seq 1 100); do
        if tmux capture-pane -p -t "$SESSION" 2>/dev/null | grep -qF -- "$1"; then
            return 0
        fi
        sleep 0.1
    done
    fail "timed out waiting for: $1"
}

# An empty config folder, so a user's own keymap cannot change what the keys mean.
mkdir -p "$WORK/config" "$WORK/state"
tmux new-session -d -s "$SESSION" -x 160 -y 48 \
    "INFRAPLAN_CONFIG_DIR='$WORK/config' XDG_STATE_HOME='$WORK/state' '$BIN' edit '$WORK/site.toml'; echo EDITOR-EXITED \$?; sleep 30"
wait_for "opened"

# Sends one line of the key file: <name> is one key, anything else is typed.
count=0
send_line() {
    local line=$1 token
    while [ -n "$line" ]; do
        if [[ $line =~ ^(\<[a-z-]+\>) ]]; then
            token=${BASH_REMATCH[1]}
        else
            token=${line:0:1}
        fi
        line=${line:${#token}}
        count=$((count + 1))
        case $token in
            "<enter>") tmux send-keys -t "$SESSION" Enter ;;
            "<down>") tmux send-keys -t "$SESSION" Down ;;
            "<ctrl-u>") tmux send-keys -t "$SESSION" C-u ;;
            # Esc alone: a key right after it would read as Alt+key.
            "<esc>") tmux send-keys -t "$SESSION" Escape; sleep 0.6 ;;
            "<"*">") fail "the key file names a key this script does not know: $token" ;;
            *) tmux send-keys -t "$SESSION" -l -- "$token" ;;
        esac
    done
    # Let the editor take in the step before the next one.
    sleep 0.4
}

while IFS= read -r line; do
    case $line in "#"* | "") continue ;; esac
    send_line "$line"
done <tests/fixtures/design3-to-4.keys

tmux send-keys -t "$SESSION" C-s
wait_for "saved"
tmux send-keys -t "$SESSION" q
wait_for "EDITOR-EXITED 0"

# The shape of a design: what design 4 defines, not labels, software, addresses or positions.
shape() {
    python3 - "$1" <<'PY'
import sys, tomllib
d = tomllib.load(open(sys.argv[1], "rb"))
out = [f"server {s['id']}" for s in d.get("servers", [])]
out += [f"cluster {c['id']} {c.get('mode', 'active-active')} {c.get('vip')}" for c in d.get("clusters", [])]
out += [f"component {c['id']} {c['kind']} on {c.get('server')} in {c.get('cluster')} as {c.get('role')}"
        for c in d.get("components", [])]
out += [f"link {l['from']} -> {l['to']} {l['protocol']}" for l in d.get("links", [])]
out += [f"dns {r['name']} -> {r['target']}" for r in d.get("dns", [])]
print("\n".join(sorted(out)))
PY
}
if ! diff <(shape designs/04-scale-up.toml) <(shape "$WORK/site.toml"); then
    fail "the saved design does not have design 4's shape (diff above: < design 4, > saved)"
fi
"$BIN" analyze "$WORK/site.toml" >/dev/null || [ $? -eq 1 ] || fail "the saved design does not analyze"
echo "e2e_duplicate: OK: design 3 became design 4 in $count keys"
