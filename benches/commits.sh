#!/usr/bin/env bash
# Benchmark: `aiprov commits --format summary` against `git log` with the same metadata, on the
# ghostty replica (17k commits), in one run. Prints the median wall time of each over RUNS
# alternating runs, their ratio (goal: aiprov/git <= 1.0) and aiprov's peak RSS (goal: < 64 MiB),
# also on a history half as long, to show memory does not grow with history length.
#
# With BASELINE_BIN (an earlier build, e.g. of the commit before a change), the same runs also
# time it, alternating with the new binary under the same load, and print both ratios and both
# user+sys CPU times, on the ghostty replica and on a small history (SMALL_REPO, default the
# smallest corpus mirror under AIPROV_MIRRORS), where the fixed start-up cost dominates.
#
# usage: benches/commits.sh   env: AIPROV_SHARED (default ../shared), RUNS (default 7),
#                                   AIPROV_BIN (the binary; default: cargo build --release),
#                                   BASELINE_BIN (optional), SMALL_REPO / AIPROV_MIRRORS (optional)
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

small=${SMALL_REPO:-}
if [[ -z $small && -n ${AIPROV_MIRRORS:-} ]]; then
  small=$AIPROV_MIRRORS/github.com/naimetti/rfc3339-validator.git
  [[ -d $small ]] || small=
fi

python3 - "$bin" "$repo" "$runs" "${BASELINE_BIN:-}" "$small" <<'PY'
import os, statistics, subprocess, sys, time
bin_, repo, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
baseline, small = sys.argv[4], sys.argv[5]

def run(cmd):
    """Wall seconds and peak RSS (KiB) of one run, output discarded."""
    wall, rss, _ = run_cpu(cmd)
    return wall, rss

def run_cpu(cmd):
    """Wall seconds, peak RSS (KiB) and user+sys CPU seconds of one run, output discarded."""
    start = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - start
    assert os.waitstatus_to_exitcode(status) == 0, cmd
    return wall, usage.ru_maxrss, usage.ru_utime + usage.ru_stime

if baseline:
    # Before/after in one run: baseline, new and git log alternate, so load changes hit all three.
    for label, target in (("ghostty replica", repo), ("small history", small)):
        if not target:
            continue
        git_cmd = ["git", "-C", target, "log", "--format=%H%x00%an%x00%ae%x00%cn%x00%ce%x00%B", "HEAD"]
        cmds = {"baseline": [baseline, "commits", target, "--format", "summary"],
                "new": [bin_, "commits", target, "--format", "summary"],
                "git": git_cmd}
        for c in cmds.values():
            run_cpu(c)  # warm the page cache
        wall = {k: [] for k in cmds}
        cpu = {k: [] for k in cmds}
        for _ in range(runs):
            for k, c in cmds.items():
                w, _, t = run_cpu(c)
                wall[k].append(w); cpu[k].append(t)
        med = {k: statistics.median(v) for k, v in wall.items()}
        mcpu = {k: statistics.median(v) for k, v in cpu.items()}
        n = subprocess.run(["git", "-C", target, "rev-list", "--count", "HEAD"], capture_output=True, text=True).stdout.strip()
        print(f"{label} ({n} commits), median of {runs} alternating runs:")
        for k in ("baseline", "new"):
            print(f"  {k:9} wall {med[k]*1000:7.1f} ms  user+sys {mcpu[k]*1000:7.1f} ms  ratio to git log {med[k]/med['git']:.2f}")
        print(f"  git log   wall {med['git']*1000:7.1f} ms  user+sys {mcpu['git']*1000:7.1f} ms")
    print()

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
