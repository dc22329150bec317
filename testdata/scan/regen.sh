#!/bin/sh
# Re-generates the lockfiles of the workspace fixtures with the real package managers, and the
# package managers' own listings the scan tests compare against (issue 14, must-show 3).
#
# Needs cargo, node/npm, pnpm 9 and pnpm 8 (as $PNPM8, default pnpm8), yarn 1 (as $YARN1, default
# yarn1) (classic), yarn 4 (berry, as $YARN4, default yarn), bun on PATH (or in $PM_BIN), and the
# npm registry. Each project is installed in a temporary copy, so no node_modules lands here;
# only the lockfile and the listings are copied back:
#   LISTING.*    the package manager's raw listing (npm ls --all --json, pnpm list -r --depth
#                Infinity --json, yarn info -A -R --json, yarn list --json, bun pm ls --all)
#   counts.json  {"components": distinct name@version in the listing, the project root left
#                out; "prod": the same for the production-only listing where the package
#                manager has one (npm --omit=dev, pnpm --prod), else null}
# The tests (tests/scan_workspaces.rs) need none of these tools.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
[ -n "${PM_BIN:-}" ] && PATH="$PM_BIN:$PATH"
YARN1=${YARN1:-yarn1}
YARN4=${YARN4:-yarn}
PNPM8=${PNPM8:-pnpm8}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

copy() { # fixture → fresh temp copy of its manifests
  rm -rf "$tmp/p"; mkdir -p "$tmp/p"
  (cd "$here/$1" && find . \( -name package.json -o -name pnpm-workspace.yaml -o -name .yarnrc.yml \) -print \
    | tar -cf - -T -) | tar -C "$tmp/p" -xf -
}

# Count distinct name@version in a listing; $1 = format, $2 = file, $3 = root name to leave out.
count() {
  node "$here/count.js" "$1" "$2" "$3"
}

# npm
copy npm-workspace
(cd "$tmp/p" && npm install --no-audit --no-fund --ignore-scripts >/dev/null \
  && npm ls --all --json >"$here/npm-workspace/LISTING.npm-ls.json" \
  && npm ls --all --json --omit=dev >"$here/npm-workspace/LISTING.npm-ls-prod.json")
cp "$tmp/p/package-lock.json" "$here/npm-workspace/"
printf '{"components": %s, "prod": %s}\n' \
  "$(count npm "$here/npm-workspace/LISTING.npm-ls.json" npm-workspace)" \
  "$(count npm "$here/npm-workspace/LISTING.npm-ls-prod.json" npm-workspace)" >"$here/npm-workspace/counts.json"

# pnpm
copy pnpm-workspace
(cd "$tmp/p" && pnpm install --ignore-scripts >/dev/null \
  && pnpm list -r --depth Infinity --json | sed "s|$tmp/p|.|g" >"$here/pnpm-workspace/LISTING.pnpm-list.json" \
  && pnpm list -r --depth Infinity --json --prod | sed "s|$tmp/p|.|g" >"$here/pnpm-workspace/LISTING.pnpm-list-prod.json")
cp "$tmp/p/pnpm-lock.yaml" "$here/pnpm-workspace/"
printf '{"components": %s, "prod": %s}\n' \
  "$(count pnpm "$here/pnpm-workspace/LISTING.pnpm-list.json" pnpm-workspace)" \
  "$(count pnpm "$here/pnpm-workspace/LISTING.pnpm-list-prod.json" pnpm-workspace)" >"$here/pnpm-workspace/counts.json"

# pnpm 8 (lockfile version 6)
copy pnpm8-workspace
(cd "$tmp/p" && "$PNPM8" install --ignore-scripts >/dev/null \
  && "$PNPM8" list -r --depth Infinity --json | sed "s|$tmp/p|.|g" >"$here/pnpm8-workspace/LISTING.pnpm-list.json" \
  && "$PNPM8" list -r --depth Infinity --json --prod | sed "s|$tmp/p|.|g" >"$here/pnpm8-workspace/LISTING.pnpm-list-prod.json")
cp "$tmp/p/pnpm-lock.yaml" "$here/pnpm8-workspace/"
printf '{"components": %s, "prod": %s}\n' \
  "$(count pnpm "$here/pnpm8-workspace/LISTING.pnpm-list.json" pnpm8-workspace)" \
  "$(count pnpm "$here/pnpm8-workspace/LISTING.pnpm-list-prod.json" pnpm8-workspace)" >"$here/pnpm8-workspace/counts.json"

# yarn berry
copy yarn-berry-workspace
(cd "$tmp/p" && touch yarn.lock && YARN_ENABLE_TELEMETRY=0 YARN_ENABLE_SCRIPTS=0 "$YARN4" install >/dev/null \
  && "$YARN4" info -A -R --json >"$here/yarn-berry-workspace/LISTING.yarn-info.json")
cp "$tmp/p/yarn.lock" "$here/yarn-berry-workspace/"
printf '{"components": %s, "prod": null}\n' \
  "$(count berry "$here/yarn-berry-workspace/LISTING.yarn-info.json" yarn-berry-workspace)" >"$here/yarn-berry-workspace/counts.json"

# yarn classic
copy yarn-classic-workspace
(cd "$tmp/p" && "$YARN1" install --ignore-scripts --non-interactive >/dev/null \
  && "$YARN1" list --json --non-interactive >"$here/yarn-classic-workspace/LISTING.yarn-list.json")
cp "$tmp/p/yarn.lock" "$here/yarn-classic-workspace/"
printf '{"components": %s, "prod": null}\n' \
  "$(count yarn1 "$here/yarn-classic-workspace/LISTING.yarn-list.json" yarn-classic-workspace)" >"$here/yarn-classic-workspace/counts.json"

# bun
copy bun-workspace
(cd "$tmp/p" && bun install --ignore-scripts --save-text-lockfile >/dev/null 2>&1 \
  && bun pm ls --all | sed "1s|^$tmp/p|.|" >"$here/bun-workspace/LISTING.bun-pm-ls.txt")
cp "$tmp/p/bun.lock" "$here/bun-workspace/"
printf '{"components": %s, "prod": null}\n' \
  "$(count bun "$here/bun-workspace/LISTING.bun-pm-ls.txt" bun-workspace)" >"$here/bun-workspace/counts.json"
# cargo: the lockfile is written by hand (tests must not need the network); cargo only checks
# it (--locked --offline: the crates must be in the local registry cache) and lists it.
(cd "$here/cargo-workspace" && cargo metadata --locked --offline --format-version 1) \
  | sed -e "s|$here/cargo-workspace|.|g" -e "s|$HOME|~|g" >"$here/cargo-workspace/LISTING.cargo-metadata.json"
printf '{"components": %s, "prod": %s}\n' \
  "$(count cargo "$here/cargo-workspace/LISTING.cargo-metadata.json" cw-app)" \
  "$(count cargo-prod "$here/cargo-workspace/LISTING.cargo-metadata.json" cw-app)" >"$here/cargo-workspace/counts.json"
echo "regenerated: $(cd "$here" && ls */counts.json | tr '\n' ' ')"
