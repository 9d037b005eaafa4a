#!/usr/bin/env bash
# Regenerates assets/diagrams/ from designs/: the annotated DOT of each design (which the tests
# compare, since it is deterministic) and the SVG Graphviz draws from it.
# Needs Graphviz (`apt-get install graphviz`).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q
bin=target/debug/infraplan
"$bin" export --all designs -o assets/diagrams --annotate --format dot
"$bin" export --all designs -o assets/diagrams --annotate --format svg --engine dot
# The same diagrams from the built-in renderer (no Graphviz), for comparison.
"$bin" export --all designs -o assets/diagrams/builtin --annotate --format svg --engine builtin
