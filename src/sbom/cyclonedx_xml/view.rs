//! CycloneDX XML in the shape of CycloneDX JSON, for readers of fields aiprov does not edit.

use super::{Document, Tree};

/// The document in the shape of CycloneDX JSON, for readers that look at fields aiprov does not
/// edit (the minimum-elements check): root `version` and `serialNumber`, `metadata` (timestamp,
/// authors, manufacturer, lifecycles, tools in both forms, component, properties), every
/// component with its identifiers, suppliers, hashes, licenses (also under `evidence`),
/// external references and properties, `dependencies` (`ref` + `dependsOn`), `compositions`
/// (`aggregate`, `dependencies`), `externalReferences`, and an empty `signature` object when the
/// root carries an enveloped XML signature. Elements outside the CycloneDX namespace are left out.
pub fn json_view(doc: &Document) -> serde_json::Value {
    use serde_json::{Map, Value};
    let t = &doc.tree;
    let root = t.root;
    let mut out = Map::new();
    out.insert("bomFormat".into(), Value::from("CycloneDX"));
    out.insert(
        "specVersion".into(),
        Value::from(format!("{}.{}", doc.spec_version.0, doc.spec_version.1)),
    );
    if let Some(v) = t.attr(root, "version") {
        let v = v.trim();
        out.insert(
            "version".into(),
            v.parse::<u64>()
                .map(Value::from)
                .unwrap_or_else(|_| Value::from(v)),
        );
    }
    if let Some(s) = t.attr(root, "serialNumber") {
        out.insert("serialNumber".into(), Value::from(s));
    }
    if doc.signed {
        out.insert("signature".into(), Value::Object(Map::new()));
    }
    for &c in &t.els[root].children {
        if !t.els[c].cdx {
            continue;
        }
        let local = t.els[c].local.as_str();
        let v = match local {
            "metadata" => view_object(t, c),
            "components" => view_list(t, c),
            "externalReferences" => view_list(t, c),
            "dependencies" => Value::Array(
                t.children(c, "dependency")
                    .map(|d| {
                        let on: Vec<Value> = t
                            .children(d, "dependency")
                            .filter_map(|x| t.attr(x, "ref").map(Value::from))
                            .collect();
                        let mut m = Map::new();
                        if let Some(r) = t.attr(d, "ref") {
                            m.insert("ref".into(), Value::from(r));
                        }
                        m.insert("dependsOn".into(), Value::Array(on));
                        Value::Object(m)
                    })
                    .collect(),
            ),
            "compositions" => Value::Array(
                t.children(c, "composition")
                    .map(|k| {
                        let mut m = Map::new();
                        if let Some(a) = t.child_text(k, "aggregate") {
                            m.insert("aggregate".into(), Value::from(a.trim()));
                        }
                        for (list, item) in
                            [("assemblies", "assembly"), ("dependencies", "dependency")]
                        {
                            if let Some(l) = t.child(k, list) {
                                let refs: Vec<Value> = t
                                    .children(l, item)
                                    .filter_map(|x| t.attr(x, "ref").map(Value::from))
                                    .collect();
                                m.insert(list.into(), Value::Array(refs));
                            }
                        }
                        Value::Object(m)
                    })
                    .collect(),
            ),
            _ => continue,
        };
        out.insert(local.to_string(), v);
    }
    Value::Object(out)
}

/// Lists whose items are child elements (`<hashes><hash/>…</hashes>` → `[…]`).
const VIEW_LISTS: &[&str] = &[
    "components",
    "services",
    "authors",
    "hashes",
    "properties",
    "externalReferences",
    "lifecycles",
    "licenses",
];

/// Elements that repeat directly in their parent (`<omniborId>` → `"omniborId": […]`).
const VIEW_REPEATED: &[&str] = &["omniborId", "swhid"];

fn view_list(t: &Tree, el: usize) -> serde_json::Value {
    use serde_json::{Map, Value};
    let list = t.els[el].children.iter().copied().filter(|&c| t.els[c].cdx);
    Value::Array(
        list.map(|c| match t.els[c].local.as_str() {
            // `<licenses><license>…</license><expression>…</expression></licenses>`
            "license" if t.els[el].local == "licenses" => {
                let mut m = Map::new();
                m.insert("license".into(), view_object(t, c));
                Value::Object(m)
            }
            "expression" => {
                let mut m = Map::new();
                m.insert("expression".into(), Value::from(t.els[c].text.trim()));
                Value::Object(m)
            }
            _ => view_object(t, c),
        })
        .collect(),
    )
}

fn view_object(t: &Tree, el: usize) -> serde_json::Value {
    use serde_json::{Map, Value};
    let e = &t.els[el];
    let mut m = Map::new();
    for (k, v) in &e.attrs {
        if !k.contains(':') && k != "xmlns" {
            m.insert(k.clone(), Value::from(v.as_str()));
        }
    }
    let kids: Vec<usize> = e
        .children
        .iter()
        .copied()
        .filter(|&c| t.els[c].cdx)
        .collect();
    if kids.is_empty() && m.is_empty() {
        return Value::from(e.text.trim());
    }
    // The element's own text: a hash's `content`, a property's `value`.
    let own = e.text.trim();
    if !own.is_empty() {
        let key = match e.local.as_str() {
            "hash" => "content",
            _ => "value",
        };
        m.insert(key.into(), Value::from(own));
    }
    for c in kids {
        let local = t.els[c].local.clone();
        if e.local == "tools" && local == "tool" {
            // legacy tools: the list itself is `metadata.tools`
            continue;
        }
        let v = if VIEW_LISTS.contains(&local.as_str()) {
            view_list(t, c)
        } else if VIEW_REPEATED.contains(&local.as_str()) {
            let mut list = match m.remove(&local) {
                Some(Value::Array(a)) => a,
                _ => Vec::new(),
            };
            list.push(Value::from(t.els[c].text.trim()));
            Value::Array(list)
        } else if local == "tools" && t.child(c, "tool").is_some() {
            view_list(t, c)
        } else {
            view_object(t, c)
        };
        m.insert(local, v);
    }
    Value::Object(m)
}
