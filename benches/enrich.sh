#!/usr/bin/env bash
# Load test for `aiprov enrich`: juice-shop's SBOM (CycloneDX 1.6, 1,101 npm components) with a
# repo map that sends every component to one of the shared corpus mirrors, run with --jobs 1 and
# --jobs 2. Prints the wall time of each, their ratio (goal: >= 1.8x on 2 cores) and peak RSS
# (those runs bypass the results store: --no-cache). Then the results store (issue 12): a cold
# run (empty CACHE/results) and a warm run (same input again), --jobs 2; prints both wall times
# and their ratio (goals: warm <= 1.0 s on 2 cores and <= 0.15x cold) and checks that the
# outputs are identical.
#
# usage: benches/enrich.sh            (from the repository root; needs ../shared, git, python3,
#                                      GNU time at /usr/bin/time)
# env:   AIPROV_SHARED   the shared data folder            [default: ../shared]
#        AIPROV_MIRRORS  reuse mirrors built there          [default: a temporary folder]
#        AIPROV_BIN      the binary to measure              [default: cargo build --release]
#        RUNS            runs per setting                   [default: 5]
#
# The map: a component whose version is a tag (`X.Y.Z` or `vX.Y.Z`) in some mirror goes to one of
# those mirrors (round-robin among them), so it is walked at that tag; every other component goes
# round-robin to the eight largest mirrors (walked at their default branch). That gives hundreds
# of distinct repository@revision walks over real histories (aider, aiohttp, ghostty, ... up to
# 17k commits each), so the walks dominate the run, as they do on a real SBOM.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
shared=${AIPROV_SHARED:-$root/../shared}
sbom=$shared/sboms/cdx16-npm-juice-shop.cdx.json
runs=${RUNS:-5}
[[ -f $sbom ]] || { echo "enrich.sh: $sbom not found (set AIPROV_SHARED)" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "enrich.sh: GNU time (/usr/bin/time) is needed for peak RSS" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/aiprov-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

if [[ -n ${AIPROV_BIN:-} ]]; then
  bin=$AIPROV_BIN
else
  (cd "$root" && cargo build --release --quiet)
  bin=$root/target/release/aiprov
fi

mirrors=${AIPROV_MIRRORS:-$work/mirrors}
bash "$shared/corpus/build-mirrors.sh" "$mirrors"

# Generate the repo map: bom-ref -> https://github.com/OWNER/NAME (found under --mirror-dir).
python3 - "$sbom" "$mirrors" > "$work/repos.toml" <<'EOF'
import json, os, subprocess, sys

sbom, mirrors = sys.argv[1], sys.argv[2]
repos = []  # (commits, url, tags)
host = os.path.join(mirrors, "github.com")
for owner in sorted(os.listdir(host)):
    for name in sorted(os.listdir(os.path.join(host, owner))):
        if not name.endswith(".git"):
            continue
        gd = os.path.join(host, owner, name)
        git = lambda *a: subprocess.run(["git", "--git-dir", gd, *a], check=True, capture_output=True, text=True).stdout
        commits = int(git("rev-list", "--count", "HEAD").strip())
        tags = set(git("tag").split())
        repos.append((commits, f"https://github.com/{owner}/{name[:-4]}", tags))
big = [r for r in sorted(repos, key=lambda r: -r[0])[:8]]

components = []
def collect(items):
    for c in items:
        components.append(c)
        collect(c.get("components", []))
collect(json.load(open(sbom))["components"])

lines, tagged, seen_walks = ["[repositories]"], 0, set()
for i, c in enumerate(components):
    v = c.get("version", "")
    candidates = [r for r in repos if v and (v in r[2] or "v" + v in r[2])]
    if candidates:
        repo = candidates[i % len(candidates)]
        tagged += 1
        seen_walks.add((repo[1], v))
    else:
        repo = big[i % len(big)]
        seen_walks.add((repo[1], "HEAD"))
    lines.append(json.dumps(c["bom-ref"]) + " = " + json.dumps(repo[1]))
print("\n".join(lines))
print(f"repo map: {len(components)} components onto {len(repos)} mirrors, {tagged} at a version tag, "
      f"~{len(seen_walks)} distinct walks", file=sys.stderr)
EOF

run() { # jobs [store: cold|warm] -> "best median peak_kb" (seconds; KiB)
  local jobs=$1 store=${2:-} rss=0 times=() cache=(--cache-dir "$work/cache" --no-cache)
  for _ in $(seq "$runs"); do
    if [[ -n $store ]]; then
      cache=(--cache-dir "$work/store")
      [[ $store == cold ]] && rm -rf "$work/store"
    fi
    SOURCE_DATE_EPOCH=1788000000 /usr/bin/time -o "$work/time" -f "%e %M" \
      "$bin" enrich "$sbom" --offline --mirror-dir "$mirrors" --repo-map "$work/repos.toml" \
      "${cache[@]}" --jobs "$jobs" -o "$work/out-$jobs$store.json" 2> "$work/stderr-$jobs$store"
    read -r s kb < "$work/time"
    times+=("$s")
    (( kb > rss )) && rss=$kb
  done
  printf '%s\n' "${times[@]}" | sort -g | awk -v rss="$rss" '{t[NR]=$1} END{m=(NR%2)?t[(NR+1)/2]:(t[NR/2]+t[NR/2+1])/2; print t[1], m, rss}'
}

run 2 > /dev/null # warm the page cache
read -r b1 m1 rss1 < <(run 1)
read -r b2 m2 rss2 < <(run 2)
cmp -s "$work/out-1.json" "$work/out-2.json" || { echo "enrich.sh: --jobs 1 and --jobs 2 outputs differ" >&2; exit 1; }

tail -n1 "$work/stderr-2"
printf 'jobs 1: best %6.2f s, median %6.2f s wall; peak RSS %6.1f MiB\n' "$b1" "$m1" "$(awk "BEGIN{print $rss1/1024}")"
printf 'jobs 2: best %6.2f s, median %6.2f s wall; peak RSS %6.1f MiB\n' "$b2" "$m2" "$(awk "BEGIN{print $rss2/1024}")"
echo "speed-up jobs 1 / jobs 2: best $(awk "BEGIN{printf \"%.2f\", $b1/$b2}")x, median $(awk "BEGIN{printf \"%.2f\", $m1/$m2}")x" \
  "(goal >= 1.8x on 2 cores; $(nproc) CPUs here; $runs runs each)"

# The results store: cold (emptied before each run) then warm (filled by the last cold run).
read -r bc mc _ < <(run 2 cold)
read -r bw mw _ < <(run 2 warm)
cmp -s "$work/out-2cold.json" "$work/out-2warm.json" || { echo "enrich.sh: cold and warm outputs differ" >&2; exit 1; }
cmp -s "$work/out-2.json" "$work/out-2warm.json" || { echo "enrich.sh: the store changed the output" >&2; exit 1; }
tail -n1 "$work/stderr-2warm"
printf 'store cold: best %6.2f s, median %6.2f s wall\n' "$bc" "$mc"
printf 'store warm: best %6.2f s, median %6.2f s wall (outputs identical)\n' "$bw" "$mw"
echo "warm / cold: median $(awk "BEGIN{printf \"%.3f\", $mw/$mc}")x (goals: warm <= 1.0 s on 2 cores, <= 0.15x cold; $(nproc) CPUs here)"
# What the store holds after the run (docs/scale.md scales it to 100k components).
entries=$(find "$work/store/results" -type f | wc -l)
walks=$(find "$work/store/results" -path '*walk*' -type f | wc -l)
bytes=$(du -sb "$work/store/results" | cut -f1)
echo "store size: $bytes bytes in $entries entries ($walks walk entries; $(awk "BEGIN{printf \"%.0f\", $bytes/($walks>0?$walks:1)}") bytes per walk entry, all entries counted)"
