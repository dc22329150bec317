#!/usr/bin/env bash
# Benchmark of issue 10: how many requests the GitHub review lookup sends. A history of 1,000 AI
# commits (each with a `Co-authored-by: Claude` trailer, written with git fast-import) and a
# loopback "GitHub" GraphQL endpoint (python3, answering `Commit.associatedPullRequests` in the
# shapes of GitHub's GraphQL reference: one merged, approved pull request per 3 commits) are
# made here; `aiprov reviews export` runs twice against them with one cache. Prints the requests
# per AI commit of the first run (goal: <= 0.05, i.e. >= 20 commits a query) and the requests of
# the second run (goal: 0, all from the cache). Informational: it prints, and exits non-zero only
# when a run fails. (tests/review_github.rs keeps the library-level regression check.)
#
# usage: benches/reviews.sh   env: AIPROV_BIN (the binary; default: cargo build --release)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
if [[ -n ${AIPROV_BIN:-} ]]; then
  bin=$AIPROV_BIN
else
  cargo build --release --locked --quiet --manifest-path "$here/Cargo.toml"
  bin=${CARGO_TARGET_DIR:-$here/target}/release/aiprov
fi
work=$(mktemp -d)
server_pid=
cleanup() { [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
n=${AI_COMMITS:-1000}

# The history: a root commit, then $n AI commits.
repo=$work/bench.git
git init -q --bare "$repo"
python3 - "$n" <<'PY' | git --git-dir="$repo" fast-import --quiet --done
import sys
n = int(sys.argv[1])
out = sys.stdout
def commit(i, msg, parent):
    data = f"{msg}\n".encode()
    out.write(f"commit refs/heads/main\nmark :{i + 1}\n")
    out.write(f"author Dev <dev@example.invalid> {1767225600 + i} +0000\n")
    out.write(f"committer Dev <dev@example.invalid> {1767225600 + i} +0000\n")
    out.write(f"data {len(data)}\n{data.decode()}")
    if parent:
        out.write(f"from :{i}\n")
    out.write(f"M 644 inline f\ndata {len(str(i))}\n{i}\n\n")
commit(0, "Initial commit", False)
out.write("reset refs/tags/root\nfrom :1\n\n")
for i in range(1, n + 1):
    commit(i, f"Change {i}\n\nCo-authored-by: Claude <noreply@anthropic.com>", True)
out.write("done\n")
PY
git --git-dir="$repo" symbolic-ref HEAD refs/heads/main
mapfile -t ids < <(git --git-dir="$repo" rev-list --reverse root..main)

# The loopback GraphQL endpoint: counts requests in $work/requests.
python3 - "$work" "${ids[@]}" <<'PY' &
import json, re, sys, http.server
work, ids = sys.argv[1], sys.argv[2:]
pr_of = {c: i // 3 + 1 for i, c in enumerate(ids)}
count = 0
def pr(number):
    return {"number": number, "url": f"https://github.com/acme/bench/pull/{number}",
            "author": {"login": "alice", "__typename": "User"},
            "mergedAt": "2026-02-02T05:00:00Z", "mergedBy": {"login": "bob", "__typename": "User"},
            "reviews": {"pageInfo": {"hasNextPage": False, "endCursor": None},
                        "nodes": [{"author": {"login": "carol", "__typename": "User"},
                                   "state": "APPROVED", "submittedAt": "2026-02-02T04:00:00Z"}]},
            "commits": {"nodes": [{"commit": {"statusCheckRollup": {"contexts": {"nodes": [
                {"__typename": "CheckRun", "name": "test", "conclusion": "SUCCESS"}]}}}}]}}
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        global count
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        count += 1
        with open(f"{work}/requests", "w") as f:
            f.write(str(count))
        repo = {}
        for alias, oid in re.findall(r'(c\d+): object\(oid: "([0-9a-f]{40})"\)', body["query"]):
            nodes = [pr(pr_of[oid])] if oid in pr_of else []
            repo[alias] = {"associatedPullRequests": {"nodes": nodes}}
        data = json.dumps({"data": {"repository": repo}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    def log_message(self, *a):
        pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
with open(f"{work}/port", "w") as f:
    f.write(str(s.server_address[1]))
s.serve_forever()
PY
server_pid=$!
for _ in $(seq 100); do [[ -s $work/port ]] && break; sleep 0.1; done
port=$(cat "$work/port")

export AIPROV_BENCH_TOKEN=bench-token
run() {
  "$bin" reviews export "$repo" --range root..main --repository https://github.com/acme/bench \
    --api "http://127.0.0.1:$port" --token-env AIPROV_BENCH_TOKEN --cache-dir "$work/cache" \
    -o "$work/prs-$1.jsonl" 2>&1 | sed -n 's/.*(\([0-9]*\) request(s) to GitHub).*/\1/p'
}
# The server's own count of requests received, and aiprov's count of requests sent.
served() { cat "$work/requests" 2>/dev/null || echo 0; }
said1=$(run 1); first=$(served)
said2=$(run 2); second=$(( $(served) - first ))
lines=$(wc -l < "$work/prs-1.jsonl")
python3 - "$n" "$first" "$second" "$lines" "$said1" "$said2" <<'PY'
import sys
n, first, second, lines, said1, said2 = (int(x) for x in sys.argv[1:])
print(f"AI commits looked up: {n} ({lines} pull requests written)")
print(f"first run:  {first} requests received = {first / n:.3f} per AI commit (goal <= 0.05; aiprov says {said1})")
print(f"second run: {second} requests received (goal 0: all from the cache; aiprov says {said2})")
PY
cmp -s "$work/prs-1.jsonl" "$work/prs-2.jsonl" || { echo "benches/reviews.sh: the second run wrote another file" >&2; exit 1; }
