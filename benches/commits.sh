#!/usr/bin/env bash
# Benchmark: `aiprov commits --format summary` against `git log` with the same metadata, on the
# ghostty replica (17k commits), in one run. Prints the median wall time of each over RUNS
# alternating runs, their ratio (goal: aiprov/git <= 1.0) and aiprov's peak RSS (goal: < 64 MiB),
# also on a history half as long, to show memory does not grow with history length.
#
# usage: benches/commits.sh   env: AIPROV_SHARED (default ../shared), RUNS (default 7),
#                                   AIPROV_BIN (the binary; default: cargo build --release)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
shared=${AIPROV_SHARED:-$here/../shared}
runs=${RUNS:-7}
stream=$shared/corpus/github.com+ghostty-org+ghostty.fi.gz
[[ -f $stream ]] || { echo "benches/commits.sh: no ghostty replica at $stream (set AIPROV_SHARED)" >&2; exit 2; }

if [[ -n ${AIPROV_BIN:-} ]]; then
  bin=$AIPROV_BIN
else
  cargo build --release --locked --quiet --manifest-path "$here/Cargo.toml"
  bin=${CARGO_TARGET_DIR:-$here/target}/release/aiprov
fi
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
repo=$work/ghostty.git
git init -q --bare "$repo"
gzip -dc "$stream" | git --git-dir="$repo" fast-import --quiet --done --date-format=raw-permissive
git --git-dir="$repo" symbolic-ref HEAD refs/heads/main

python3 - "$bin" "$repo" "$runs" <<'PY'
import os, statistics, subprocess, sys, time
bin_, repo, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])

def run(cmd):
    """Wall seconds and peak RSS (KiB) of one run, output discarded."""
    start = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - start
    assert os.waitstatus_to_exitcode(status) == 0, cmd
    return wall, usage.ru_maxrss

def sampled(cmd):
    """Peak anonymous (heap, stacks) and file-backed (mapped pack) resident KiB, sampled every ms."""
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    anon = files = 0
    while p.poll() is None:
        try:
            with open(f"/proc/{p.pid}/status") as f:
                for line in f:
                    if line.startswith("RssAnon:"): anon = max(anon, int(line.split()[1]))
                    if line.startswith("RssFile:"): files = max(files, int(line.split()[1]))
        except (FileNotFoundError, ProcessLookupError):
            break
        time.sleep(0.001)
    return anon, files

aiprov = [bin_, "commits", repo, "--format", "summary"]
git = ["git", "-C", repo, "log", "--format=%H%x00%an%x00%ae%x00%cn%x00%ce%x00%B", "main"]
run(aiprov); run(git)  # warm the page cache
a, g, rss = [], [], []
for _ in range(runs):
    w, m = run(aiprov); a.append(w); rss.append(m)
    w, _ = run(git); g.append(w)
count = subprocess.run(["git", "-C", repo, "rev-list", "--count", "main"], capture_output=True, text=True).stdout.strip()
half = subprocess.run(["git", "-C", repo, "rev-list", "--max-count=1", "--skip=%d" % (int(count) // 2), "main"], capture_output=True, text=True).stdout.strip()
_, rss_half = run([bin_, "commits", repo, "--rev", half, "--format", "summary"])
anon_full, file_full = sampled(aiprov)
anon_half, file_half = sampled([bin_, "commits", repo, "--rev", half, "--format", "summary"])
ma, mg = statistics.median(a), statistics.median(g)
print(f"commits walked:          {count}")
print(f"aiprov commits --format summary: median {ma*1000:.0f} ms over {runs} runs")
print(f"git log (same fields):           median {mg*1000:.0f} ms over {runs} runs")
print(f"ratio aiprov/git:        {ma/mg:.2f}  (goal <= 1.00)")
print(f"aiprov peak RSS:         {max(rss)/1024:.1f} MiB full history, {rss_half/1024:.1f} MiB half history (goal < 64 MiB)")
print(f"  of which anonymous:    {anon_full/1024:.1f} MiB full, {anon_half/1024:.1f} MiB half (heap: bounded buffers)")
print(f"  of which file-backed:  {file_full/1024:.1f} MiB full, {file_half/1024:.1f} MiB half (mapped pack pages read, binary)")
PY
