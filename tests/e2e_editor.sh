#!/usr/bin/env bash
# End to end: the real binary in a real terminal (tmux). Opens a copy of design 1, adds a
# second web server on a new server and connects it, adds a load balancer in front of both
# web servers, saves, quits, and checks with `infraplan analyze` that the findings changed and
# that the file's comments survived the save. Then opens it again, changes it from another
# process, and checks that the editor notices, reloads, and asks before a Ctrl-S overwrites a
# change made on disk.
#
# Usage: tests/e2e_editor.sh            (builds with cargo unless INFRAPLAN_BIN is set)
set -euo pipefail

cd "$(dirname "$0")/.."
command -v tmux >/dev/null || { echo "e2e_editor: tmux is not installed" >&2; exit 2; }
BIN=${INFRAPLAN_BIN:-}
if [ -z "$BIN" ]; then
    cargo build -q
    BIN=$PWD/target/debug/infraplan
fi

WORK=$(mktemp -d)
SESSION="infraplan-e2e-$$"
cleanup() {
    tmux kill-session -t "$SESSION" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
# The copy as a person keeps it: a schema line and comments.
{
    echo "#:schema ../assets/infraplan.schema.json"
    echo "# owner: the e2e test"
    sed 's/^\[\[links\]\]$/# a link\n[[links]]/' designs/01-simple.toml
    echo "# TODO: a second data centre"
} >"$WORK/site.toml"

fail() {
    echo "e2e_editor: FAIL: $*" >&2
    echo "---- pane ----" >&2
    tmux capture-pane -p -t "$SESSION" >&2 2>/dev/null || true
    exit 1
}

# Waits until the pane shows a text (a fixed string).
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

# Esc alone: a key right after it would read as Alt+key.
esc() {
    tmux send-keys -t "$SESSION" Escape
    sleep 0.6
}

# The panel's title once the editor is up: as many findings as `analyze` reports.
count=$("$BIN" analyze "$WORK/site.toml" | head -1 | sed -n 's/.* — \([0-9]*\) findings.*/\1/p')
[ -n "$count" ] || fail "analyze printed no finding count for design 1"

# XDG_STATE_HOME keeps the recent-files list out of the user's home.
tmux new-session -d -s "$SESSION" -x 160 -y 48 \
    "XDG_STATE_HOME='$WORK/state' '$BIN' edit '$WORK/site.toml'; echo EDITOR-EXITED \$?; sleep 30"
wait_for "Findings ($count)"

# A second web server, on a new server.
keys a
wait_for "Add a component"
keys w Enter
wait_for "Put \`web\` on"
keys Enter
wait_for "on the new server"
# Connect it to the application server: Tab walks the components (user nginx app…).
keys c
wait_for "pick the target"
keys Tab Tab Tab
keys Enter
wait_for "Link \`web\` → \`app\`"
keys Enter
wait_for "linked \`web\` → \`app\` over http"

# A load balancer on a new server, in front of both web servers.
keys a
wait_for "Add a component"
keys l Enter
wait_for "Put \`lb\` on"
keys Enter
wait_for "on the new server"
for target_tabs in 2 6; do
    # From lb (the 7th component), Tab wraps to user, then nginx (2) or web (6).
    keys c
    wait_for "pick the target"
    for _ in $(seq 1 "$target_tabs"); do keys Tab; done
    keys Enter
    wait_for "over…"
    keys Enter
    wait_for "linked \`lb\`"
done

# The browser now talks to the load balancer: drop user → nginx, link user → lb.
esc
esc
keys Tab
keys o
wait_for "user → nginx"
keys d
wait_for "deleted the link"
esc
keys Tab
keys c
wait_for "pick the target"
for _ in $(seq 1 6); do keys Tab; done
keys Enter
wait_for "Link \`user\` → \`lb\`"
keys Enter
wait_for "linked \`user\` → \`lb\` over https"

keys C-s
wait_for "saved $WORK/site.toml"
keys q
wait_for "EDITOR-EXITED 0"

# The saved file is valid, kept its comments, and the analyzer sees the change.
"$BIN" validate "$WORK/site.toml" >/dev/null || fail "the saved design is invalid"
head -1 "$WORK/site.toml" | grep -qF "#:schema ../assets/infraplan.schema.json" || fail "the #:schema line went"
for c in "# owner: the e2e test" "# a link" "# TODO: a second data centre"; do
    grep -qF -- "$c" "$WORK/site.toml" || fail "the comment '$c' went"
done
before=$("$BIN" analyze --format json designs/01-simple.toml || true)
after=$("$BIN" analyze --format json "$WORK/site.toml" || true)
python3 - "$before" "$after" <<'PY'
import json, sys
def findings(text):
    return {(f["rule"], tuple(f["components"]), tuple(f["servers"]))
            for f in json.loads(text)["files"][0]["findings"]}
before, after = findings(sys.argv[1]), findings(sys.argv[2])
rules_after = {r for r, _, _ in after}
def has(fs, rule, comp):
    return any(r == rule and comp in c for r, c, _ in fs)
problems = []
if not (has(before, "SPOF-COMPONENT", "nginx") or has(before, "SPOF-SERVER", "nginx")):
    problems.append("design 1 should have nginx (or its one server) as a SPOF")
if has(after, "SPOF-COMPONENT", "nginx"):
    problems.append("nginx is still a SPOF with a second web server behind a load balancer")
if has(after, "MAINTENANCE-DOWNTIME", "nginx"):
    problems.append("nginx is still the only web server")
if not has(after, "SPOF-COMPONENT", "lb"):
    problems.append("the single load balancer should now be the SPOF")
if any(r == "LIMITED-SCALABILITY" and "nginx" in c and "web" not in c for r, c, _ in after):
    problems.append("LIMITED-SCALABILITY still says there is no load balancer")
if problems:
    print("e2e_editor: FAIL:", *problems, sep="\n  ", file=sys.stderr)
    print("after:", sorted(after), file=sys.stderr)
    sys.exit(1)
print(f"e2e_editor: ok ({len(before)} findings before, {len(after)} after; resolved: "
      + ", ".join(sorted({f'{r} {",".join(c + s)}' for r, c, s in before - after})) + ")")
PY

# Changes on disk: the editor notices a change made by another process and offers a reload;
# after keeping its own version, Ctrl-S asks before overwriting the file.
tmux kill-session -t "$SESSION" 2>/dev/null || true
tmux new-session -d -s "$SESSION" -x 160 -y 48 \
    "XDG_STATE_HOME='$WORK/state' '$BIN' edit '$WORK/site.toml'; echo EDITOR-EXITED \$?; sleep 30"
wait_for "opened $WORK/site.toml"
sleep 0.5
sed -i 's/^name = .*/name = "Changed outside"/' "$WORK/site.toml"
wait_for "y  reload"
keys y
wait_for "reloaded $WORK/site.toml from disk"
wait_for "Changed outside"
keys u
wait_for "undid:"
sed -i 's/^name = .*/name = "Changed again"/' "$WORK/site.toml"
wait_for "y  reload"
keys n
wait_for "kept the editor's version"
keys C-s
wait_for "y  overwrite"
keys n
wait_for "not saved"
grep -qF 'name = "Changed again"' "$WORK/site.toml" || fail "Ctrl-S overwrote the change on disk"
keys q
wait_for "Save them before quitting?"
keys n
wait_for "EDITOR-EXITED 0"
echo "e2e_editor: ok (comments kept; a change on disk was noticed, reloaded, and not overwritten)"
