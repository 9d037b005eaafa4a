#!/usr/bin/env bash
# Re-captures the editor screenshot in README.md and docs/editor.md: design 2 in a 120×40
# terminal with the second finding selected (`n n`), as `tmux capture-pane` prints it.
# Needs tmux.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q
mkdir -p /tmp/ed
cp designs/02-distributed.toml /tmp/ed/shot.toml
session="capture-$$"
tmux new-session -d -s "$session" -x 120 -y 40 "target/release/infraplan edit /tmp/ed/shot.toml"
sleep 1.5
tmux send-keys -t "$session" n
sleep 0.3
tmux send-keys -t "$session" n
# The opening message fades after 6 s; then the status bar shows the design's figures.
sleep 6.5
tmux capture-pane -p -t "$session" > /tmp/ed/shot.txt
tmux kill-session -t "$session"
python3 - <<'PY'
shot = open('/tmp/ed/shot.txt').read().rstrip('\n') + '\n'
title = ' infraplan  Distributed web infrastructure — /tmp/ed/shot.toml'
for path in ['README.md', 'docs/editor.md']:
    text = open(path).read()
    out, i, n = [], 0, 0
    while True:
        a = text.find('```text\n', i)
        if a < 0:
            out.append(text[i:])
            break
        b = text.find('```\n', a + 8)
        if text[a + 8:b].startswith(title):
            out.append(text[i:a + 8] + shot)
            n += 1
        else:
            out.append(text[i:b])
        i = b
    open(path, 'w').write(''.join(out))
    print(f'{path}: {n} capture(s) replaced')
PY
