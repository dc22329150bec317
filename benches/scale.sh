#!/usr/bin/env bash
# Benchmark (issue 15, item 9): time and peak memory of `aiprov enrich` (offline, no network,
# an empty cache) and `aiprov check` on generated SBOMs: 200k-package SPDX 2 JSON, the same as
# tag-value, 200k-component CycloneDX JSON, and a ~60 MB CycloneDX JSON. Prints one line per
# run: format, command, components, wall seconds, µs per component, peak RSS in MiB.
# Goals: SPDX within 2x of CycloneDX per component; peak RSS < 1 GiB.
#
# usage: benches/scale.sh   env: N (default 200000), AIPROV_BIN (default: cargo build --release)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
n=${N:-200000}
if [[ -n ${AIPROV_BIN:-} ]]; then
  bin=$AIPROV_BIN
else
  cargo build --release --locked --quiet --manifest-path "$here/Cargo.toml"
  bin=${CARGO_TARGET_DIR:-$here/target}/release/aiprov
fi
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
gen=$here/benches/gen_sbom.py
python3 "$gen" spdx "$n" "$work/spdx.json"
python3 "$gen" tv "$n" "$work/tv.spdx"
python3 "$gen" cdx "$n" "$work/cdx.json"
# ~60 MB: 200k components with a 150-byte description each.
python3 "$gen" cdx "$n" "$work/cdx60.json" 150
ls -la "$work" >&2
printf '%-8s %-7s %8s %8s %10s %8s\n' format command n seconds us/comp MiB
for f in cdx.json cdx60.json spdx.json tv.spdx; do
  for cmd in check enrich; do
    if [[ $cmd == enrich ]]; then
      # Never -o /dev/null: the output writer renames a temporary file over its target.
      args=(enrich "$work/$f" --offline --cache-dir "$work/cache" -o "$work/out")
    else
      args=(check "$work/$f")
    fi
    /usr/bin/time -f '%e %M' -o "$work/time" "$bin" "${args[@]}" >/dev/null 2>"$work/err" || true
    read -r secs kb < <(tail -n1 "$work/time")
    awk -v f="$f" -v c="$cmd" -v n="$n" -v s="$secs" -v kb="$kb" \
      'BEGIN { printf "%-8s %-7s %8d %8.2f %10.1f %8.0f\n", f, c, n, s, s * 1e6 / n, kb / 1024 }'
  done
done
