#!/usr/bin/env bash
# End to end: zones made in the real editor, in a real terminal (tmux). Opens a commented copy
# of design 2, creates two zones in one region from the palette (`a`, `z`), puts each web
# server in its own zone from its form, moves the second one into the first zone and back
# (SPOF-ZONE comes and goes in the findings panel), saves and quits; then checks that the
# saved file has the zones, that its comments and every other line survived, and prints
# `infraplan analyze` before and after and the file's diff.
#
# Usage: tests/e2e_zones.sh            (builds with cargo unless INFRAPLAN_BIN is set)
set -euo pipefail

cd "$(dirname "$0")/.."
command -v tmux >/dev/null || { echo "e2e_zones: tmux is not installed" >&2; exit 2; }
BIN=${INFRAPLAN_BIN:-}
if [ -z "$BIN" ]; then
    cargo build -q
    BIN=$PWD/target/debug/infraplan
fi

WORK=$(mktemp -d)
SESSION="infraplan-zones-$$"
cleanup() {
    tmux kill-session -t "$SESSION" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
{
    echo "# the shop, before it had zones"
    sed 's/^\[\[servers\]\]$/# rented by the month\n[[servers]]/' designs/02-distributed.toml
} >"$WORK/site.toml"
cp "$WORK/site.toml" "$WORK/before.toml"

fail() {
    echo "e2e_zones: FAIL: $*" >&2
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

keys() {
    tmux send-keys -t "$SESSION" "$@"
    sleep 0.15
}

type_text() {
    tmux send-keys -t "$SESSION" -l "$1"
    sleep 0.15
}

# Esc alone: a key right after it would read as Alt+key.
esc() {
    tmux send-keys -t "$SESSION" Escape
    sleep 0.6
}

"$BIN" analyze "$WORK/site.toml" >"$WORK/analyze-before.txt" || true
count=$(head -1 "$WORK/analyze-before.txt" | sed -n 's/.* — \([0-9]*\) findings.*/\1/p')
[ -n "$count" ] || fail "analyze printed no finding count for design 2"

tmux new-session -d -s "$SESSION" -x 160 -y 48 \
    "XDG_STATE_HOME='$WORK/state' '$BIN' edit '$WORK/site.toml'; echo EDITOR-EXITED \$?; sleep 30"
wait_for "Findings ($count)"

# Two zones in region eu-west-1: the palette's last entry, a new id, then its form.
for zone in eu-west-1a eu-west-1b; do
    keys a
    wait_for "Add a component or a zone"
    keys z Enter
    wait_for " entr"
    type_text "$zone"
    keys Enter
    wait_for "added zone \`$zone\`"
    keys Enter
    type_text eu-west-1
    keys Enter
    wait_for "region set"
    keys Down Down Enter
    type_text 0.9995
    keys Enter
    wait_for "availability set"
    esc
done

# Each web server in its own zone: select it (/), its form, the zone field's picker.
place() {
    keys /
    type_text "$1"
    keys Enter
    keys e
    wait_for "Server \`$1\`"
    keys Down Down Down Enter
    wait_for "zone of Server \`$1\`"
    type_text "$2"
    keys Enter
    wait_for "‹ $2 ›"
}
place web-01 eu-west-1a
esc
place web-02 eu-west-1b
# The last server leaving zone b for zone a: the whole site is in zone a, a SPOF-ZONE.
keys Left
wait_for "SPOF-ZONE"
keys C-z
wait_for "‹ eu-west-1b ›"
wait_for "Findings ($count)"
esc
keys C-s
wait_for "saved"
keys q
wait_for "EDITOR-EXITED 0"

"$BIN" analyze "$WORK/site.toml" >"$WORK/analyze-after.txt" || true
for line in '# the shop, before it had zones' '# rented by the month' 'zone = "eu-west-1a"' \
    'zone = "eu-west-1b"' 'region = "eu-west-1"' 'availability = 0.9995'; do
    grep -qF -- "$line" "$WORK/site.toml" || fail "the saved file lacks: $line"
done
# Only lines were added: nothing of the file as it was is rewritten.
if diff "$WORK/before.toml" "$WORK/site.toml" | grep -q '^<'; then
    diff -u "$WORK/before.toml" "$WORK/site.toml" >&2 || true
    fail "the save rewrote lines it did not need to"
fi
grep -q 'N−1 zone' "$WORK/analyze-after.txt" || fail "analyze does not see the zones"
if grep -q 'SPOF-ZONE' "$WORK/analyze-after.txt"; then fail "a zone is a SPOF after the undo"; fi

echo "---- analyze before (summary) ----"
head -1 "$WORK/analyze-before.txt"
grep -E '^  (availability|N−1)' "$WORK/analyze-before.txt" || true
echo "---- analyze after (summary) ----"
head -1 "$WORK/analyze-after.txt"
grep -E '^  (availability|N−1)' "$WORK/analyze-after.txt" || true
echo "---- the saved file's diff ----"
diff -u "$WORK/before.toml" "$WORK/site.toml" | tail -n +3 || true
echo "e2e_zones: ok (two zones made and placed in the editor; comments kept, only lines added)"
