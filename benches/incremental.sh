#!/usr/bin/env bash
# Incremental walks (issue 12, must-show 2): one repository walked at revision A into an empty
# results store, then at a later revision B with the same store (only the commits of B ^A are
# read and classified), and B cold (a fresh store). Prints the three wall times, the commits B
# adds, and the ratio of the incremental B run to the cold one; checks that the incremental and
# cold outputs (SBOM and evidence) are byte-identical.
#
# usage: benches/incremental.sh [REPO A B]   (from the repository root)
#        default: ghostty-org/ghostty v1.1.0 v1.3.0 (5,829 commits between them), then
#        v1.3.0 v1.3.1 (100 commits)
# env:   AIPROV_MIRRORS  bare mirrors as MIRRORS/github.com/OWNER/NAME.git  [default: /work/mirrors]
#        AIPROV_BIN      the binary to measure            [default: cargo build --release]
#        RUNS            runs per measurement (best kept)  [default: 3]
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
mirrors=${AIPROV_MIRRORS:-/work/mirrors}
runs=${RUNS:-3}
work=$(mktemp -d "${TMPDIR:-/tmp}/aiprov-incremental.XXXXXX")
trap 'rm -rf "$work"' EXIT

if [[ -n ${AIPROV_BIN:-} ]]; then
  bin=$AIPROV_BIN
else
  (cd "$root" && nice cargo build --release --quiet)
  bin=$root/target/release/aiprov
fi

bom() { # repo version -> a CycloneDX document with one component at that version
  printf '{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[{"type":"library","bom-ref":"c","name":"%s","version":"%s","externalReferences":[{"type":"vcs","url":"https://github.com/%s"}]}]}\n' \
    "${1#*/}" "${2#v}" "$1"
}

enrich() { # name store -> seconds (best of RUNS; the store is reset to its state before each run)
  local name=$1 store=$2 best=
  for _ in $(seq "$runs"); do
    rm -rf "$work/run-store"
    [[ -d $store ]] && cp -r "$store" "$work/run-store"
    local t0 t1
    t0=$(date +%s.%N)
    SOURCE_DATE_EPOCH=1788000000 nice "$bin" enrich "$work/$name.cdx.json" --offline \
      --mirror-dir "$mirrors" --cache-dir "$work/run-store" -o "$work/$name.out.json" \
      --evidence "$work/$name.jsonl" -vv 2> "$work/$name.stderr"
    t1=$(date +%s.%N)
    best=$(awk -v a="${best:-1e9}" -v b="$(awk "BEGIN{print $t1-$t0}")" 'BEGIN{print (b<a)?b:a}')
  done
  rm -rf "$store.after" && cp -r "$work/run-store" "$store.after"
  echo "$best"
}

measure() { # repo A B
  local repo=$1 a=$2 b=$3 gd=$mirrors/github.com/$1.git
  [[ -d $gd ]] || { echo "incremental.sh: no mirror at $gd" >&2; exit 2; }
  local added
  added=$(git --git-dir "$gd" rev-list --count "$a..$b")
  bom "$repo" "$a" > "$work/a.cdx.json"
  bom "$repo" "$b" > "$work/b.cdx.json"
  bom "$repo" "$b" > "$work/bcold.cdx.json"
  local ta tb tc
  ta=$(enrich a "$work/none")                 # A into an empty store
  tb=$(enrich b "$work/none.after")           # B continuing A's stored traversal
  tc=$(enrich bcold "$work/none")             # B cold
  cmp -s "$work/b.out.json" "$work/bcold.out.json" || { echo "incremental.sh: B incremental and cold SBOMs differ" >&2; exit 1; }
  cmp -s "$work/b.jsonl" "$work/bcold.jsonl" || { echo "incremental.sh: B incremental and cold evidence differ" >&2; exit 1; }
  grep -q '"aiprov:status","value":"analyzed"' <(tr -d ' \n' < "$work/b.out.json") \
    || { echo "incremental.sh: $repo@$b was not analyzed" >&2; cat "$work/b.stderr" >&2; exit 1; }
  printf '%s: A=%s (%s commits) %.2f s; B=%s (+%s commits) incremental %.2f s, cold %.2f s; incremental/cold %.3fx (outputs identical)\n' \
    "$repo" "$a" "$(git --git-dir "$gd" rev-list --count "$a")" "$ta" "$b" "$added" "$tb" "$tc" "$(awk "BEGIN{print $tb/$tc}")"
  for run in a b bcold; do
    printf '  %-6s %s\n' "$run:" "$(grep -o 'one traversal for.*' "$work/$run.stderr" | head -1)"
  done
  rm -rf "$work/none.after" "$work/none.after.after"
}

if [[ $# -eq 3 ]]; then
  measure "$1" "$2" "$3"
else
  measure ghostty-org/ghostty v1.1.0 v1.3.0
  measure ghostty-org/ghostty v1.3.0 v1.3.1
fi
