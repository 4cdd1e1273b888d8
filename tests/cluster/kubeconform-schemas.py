#!/usr/bin/env python3
"""Turns an API server's OpenAPI v2 document into kubeconform schemas, one file per kind.

kubeconform fetches its schemas from the internet by default, which this machine cannot reach, so
up.sh derives them from the harness API server itself (same version, and any CRD installed at
the time). Each file is self-contained: the kind's schema plus the definitions it reaches, under
`definitions`, so local `#/definitions/...` references (even recursive ones) resolve.

usage: kubectl get --raw /openapi/v2 | kubeconform-schemas.py OUT_DIR
then:  kubeconform -strict -schema-location 'OUT_DIR/{{ .ResourceKind }}{{ .KindSuffix }}.json'
"""
import json
import os
import sys

# Written as strings in Kubernetes' OpenAPI, but YAML manifests use numbers too (`port: 80`,
# `cpu: 1`), so kubeconform's published schemas accept both; so do these.
SCALAR_UNIONS = {
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": ["string", "integer"],
    "io.k8s.apimachinery.pkg.api.resource.Quantity": ["string", "number"],
}


def loosen(node):
    """Strict on unknown fields (like kubeconform's -strict schemas), lenient on explicit nulls."""
    if isinstance(node, list):
        return [loosen(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: loosen(v) for k, v in node.items()}
    if isinstance(out.get("type"), str) and out["type"] != "null":
        out["type"] = [out["type"], "null"]
    if "properties" in out and "additionalProperties" not in out:
        out["additionalProperties"] = False
    return out


def refs(node, found):
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/definitions/"):
            found.add(ref[len("#/definitions/"):])
        for v in node.values():
            refs(v, found)
    elif isinstance(node, list):
        for v in node:
            refs(v, found)


def reachable(name, definitions):
    seen, todo = set(), [name]
    while todo:
        n = todo.pop()
        if n in seen or n not in definitions:
            continue
        seen.add(n)
        found = set()
        refs(definitions[n], found)
        todo.extend(found - seen)
    return seen


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out_dir = sys.argv[1]
    doc = json.load(sys.stdin)
    definitions = {}
    for name, schema in doc.get("definitions", {}).items():
        if name in SCALAR_UNIONS:
            definitions[name] = {"type": SCALAR_UNIONS[name] + ["null"]}
        else:
            definitions[name] = loosen(schema)
    os.makedirs(out_dir, exist_ok=True)
    written = 0
    for name, schema in doc.get("definitions", {}).items():
        for gvk in schema.get("x-kubernetes-group-version-kind", []):
            group, version, kind = gvk.get("group", ""), gvk["version"], gvk["kind"]
            if kind.endswith("List") or kind in ("WatchEvent", "DeleteOptions", "Status"):
                continue
            suffix = f"-{group.split('.')[0]}-{version}" if group else f"-{version}"
            body = dict(definitions[name])
            body["definitions"] = {n: definitions[n] for n in reachable(name, definitions)}
            path = os.path.join(out_dir, f"{kind.lower()}{suffix}.json")
            with open(path, "w", encoding="utf-8") as f:
                json.dump(body, f, separators=(",", ":"))
            written += 1
    print(f"wrote {written} kubeconform schemas to {out_dir}", file=sys.stderr)


if __name__ == "__main__":
    main()
