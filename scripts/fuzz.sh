#!/usr/bin/env bash
# Fuzzes the design loader, and the analyzer, the saves and the exporters on what loads, with
# cargo-fuzz (libFuzzer). Not part of CI: run it by hand before a release, or when the loader
# or an exporter changed.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     default: 300 seconds each, targets load_toml load_json
#
# Needs `cargo install cargo-fuzz`. cargo-fuzz needs nightly compiler features; on a stable
# toolchain RUSTC_BOOTSTRAP=1 unlocks them (set here). The seed corpus is the reference designs
# and the analyzer's test corpus (JSON copies are made with python3 when it is there). A crash is
# saved under fuzz/artifacts/TARGET/; replay it with `cargo fuzz run TARGET FILE` and add it as a
# regression test (tests/fuzz_regressions.rs).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-300}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(load_toml load_json)
export RUSTC_BOOTSTRAP=1

mkdir -p fuzz/corpus/load_toml fuzz/corpus/load_json
cp designs/*.toml tests/corpus/*.toml tests/fixtures/*.toml fuzz/corpus/load_toml/
if command -v python3 >/dev/null; then
  python3 - <<'PY'
import glob, json, os, sys
try:
    import tomllib
except ImportError:
    sys.exit(0)
for f in glob.glob("designs/*.toml") + glob.glob("tests/corpus/*.toml"):
    try:
        with open(f, "rb") as fh:
            d = tomllib.load(fh)
    except Exception:
        continue
    out = os.path.join("fuzz/corpus/load_json", os.path.basename(f)[:-5] + ".json")
    with open(out, "w") as fh:
        json.dump(d, fh, indent=2, default=str)
PY
fi

# Without a sanitizer: the crate forbids unsafe code, and runs are about twice as fast.
for t in "${targets[@]}"; do
  cargo fuzz run --sanitizer none "$t" "fuzz/corpus/$t" -- \
    -max_total_time="$seconds" -max_len=65536 -timeout=20 -rss_limit_mb=4096
done
