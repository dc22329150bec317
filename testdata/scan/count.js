// Distinct name@version in a package manager's listing (used by regen.sh).
// usage: node count.js npm|pnpm|berry|yarn1|bun FILE ROOTNAME
const fs = require("fs");
const [fmt, file, root] = process.argv.slice(2);
const text = fs.readFileSync(file, "utf8");
const seen = new Set();
const add = (name, version) => { if (name && version && name !== root) seen.add(`${name}@${version}`); };
if (fmt === "npm") {
  const walk = (deps) => { for (const [n, d] of Object.entries(deps || {})) { add(n, d.version); walk(d.dependencies); } };
  walk(JSON.parse(text).dependencies);
} else if (fmt === "pnpm") {
  const projects = JSON.parse(text);
  const versions = Object.fromEntries(projects.map((p) => [p.name, p.version]));
  const walk = (deps) => { for (const [n, d] of Object.entries(deps || {})) {
    add(n, String(d.version).startsWith("link:") ? versions[n] : d.version);
    walk(d.dependencies); walk(d.optionalDependencies); } };
  for (const p of projects) { add(p.name, p.version); walk(p.dependencies); walk(p.devDependencies); walk(p.optionalDependencies); }
} else if (fmt === "berry") {
  // one JSON object a line: {"value": "name@npm:1.2.3" | "name@workspace:path", "children": {"Version": ...}}
  for (const line of text.split("\n").filter(Boolean)) {
    const o = JSON.parse(line);
    const at = o.value.lastIndexOf("@");
    add(o.value.slice(0, at), o.children.Version);
  }
} else if (fmt === "yarn1") {
  // children named by a range (`debug@^4.3.4`) point at an entry listed elsewhere: exact versions only
  const walk = (trees) => { for (const t of trees || []) { const at = t.name.lastIndexOf("@"); const v = t.name.slice(at + 1);
    if (/^\d+\.\d+\.\d+[^\s^~<>=*|]*$/.test(v)) add(t.name.slice(0, at), v); walk(t.children); } };
  walk(JSON.parse(text).data.trees);
} else if (fmt === "bun") {
  // tree lines `├── name@1.2.3` / `│   └── name@1.2.3`; workspace members are `name@workspace:path`
  for (const m of text.matchAll(/(?:├──|└──)\s*(@?[^@\s]+)@(\S+)/g)) add(m[1], m[2]);
} else if (fmt === "cargo" || fmt === "cargo-prod") {
  // cargo metadata: every package; cargo-prod: those the root reaches through normal and build
  // dependencies (dep_kinds kind null or "build"), following every kind below workspace members
  // only for their normal and build dependencies too.
  const meta = JSON.parse(text);
  const byId = Object.fromEntries(meta.packages.map((p) => [p.id, p]));
  if (fmt === "cargo") for (const p of meta.packages) add(p.name, p.version);
  else {
    const nodes = Object.fromEntries(meta.resolve.nodes.map((n) => [n.id, n]));
    const rootId = meta.packages.find((p) => p.name === root).id;
    const queue = [rootId]; const seen = new Set();
    while (queue.length) { const id = queue.shift(); if (seen.has(id)) continue; seen.add(id);
      add(byId[id].name, byId[id].version);
      for (const d of nodes[id].deps) if (d.dep_kinds.some((k) => k.kind === null || k.kind === "build")) queue.push(d.pkg); }
  }
} else throw new Error("unknown format " + fmt);
console.log(seen.size);
