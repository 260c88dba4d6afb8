#!/usr/bin/env python3
"""validate_schema.py SCHEMA.json DOC.json... - check JSON documents against the
subset of JSON Schema (2020-12) that docs/report.schema.json uses: type (string
or list, "integer" = a whole number), enum, const, required, properties,
additionalProperties (bool or schema), items, minItems, maxItems, minimum,
maximum, minLength, $ref to "#/$defs/...". Any other keyword is an error, so the
schema cannot silently use something this checker ignores. Exit 0 when all
documents validate, 1 with one line per problem otherwise."""
import json
import sys

KNOWN = {"$schema", "$id", "title", "description", "$defs", "type", "enum", "const", "required", "properties",
         "additionalProperties", "items", "minItems", "maxItems", "minimum", "maximum", "minLength", "$ref"}


def type_ok(v, t):
    if t == "null":
        return v is None
    if t == "boolean":
        return isinstance(v, bool)
    if t == "integer":
        return isinstance(v, (int, float)) and not isinstance(v, bool) and float(v).is_integer()
    if t == "number":
        return isinstance(v, (int, float)) and not isinstance(v, bool)
    if t == "string":
        return isinstance(v, str)
    if t == "array":
        return isinstance(v, list)
    if t == "object":
        return isinstance(v, dict)
    raise ValueError("unknown type " + t)


def check(v, s, root, path, errs):
    if s is True or s == {}:
        return
    unknown = set(s) - KNOWN
    if unknown:
        raise ValueError("schema at %s uses unsupported keywords %s" % (path, sorted(unknown)))
    if "$ref" in s:
        ref = s["$ref"]
        if not ref.startswith("#/$defs/"):
            raise ValueError("unsupported $ref " + ref)
        check(v, root["$defs"][ref[len("#/$defs/"):]], root, path, errs)
    if "type" in s:
        types = s["type"] if isinstance(s["type"], list) else [s["type"]]
        if not any(type_ok(v, t) for t in types):
            errs.append("%s: expected %s, got %s" % (path, "|".join(types), json.dumps(v)[:40]))
            return
    if "const" in s and v != s["const"]:
        errs.append("%s: expected %r" % (path, s["const"]))
    if "enum" in s and v not in s["enum"]:
        errs.append("%s: %s not in %s" % (path, json.dumps(v)[:40], s["enum"]))
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        if "minimum" in s and v < s["minimum"]:
            errs.append("%s: %s < minimum %s" % (path, v, s["minimum"]))
        if "maximum" in s and v > s["maximum"]:
            errs.append("%s: %s > maximum %s" % (path, v, s["maximum"]))
    if isinstance(v, str) and "minLength" in s and len(v) < s["minLength"]:
        errs.append("%s: shorter than %d" % (path, s["minLength"]))
    if isinstance(v, dict):
        for k in s.get("required", []):
            if k not in v:
                errs.append("%s: missing %s" % (path, k))
        props = s.get("properties", {})
        for k, sub in v.items():
            if k in props:
                check(sub, props[k], root, path + "." + k, errs)
            elif "additionalProperties" in s:
                ap = s["additionalProperties"]
                if ap is False:
                    errs.append("%s: unexpected %s" % (path, k))
                elif isinstance(ap, dict):
                    check(sub, ap, root, path + "." + k, errs)
    if isinstance(v, list):
        if "minItems" in s and len(v) < s["minItems"]:
            errs.append("%s: fewer than %d items" % (path, s["minItems"]))
        if "maxItems" in s and len(v) > s["maxItems"]:
            errs.append("%s: more than %d items" % (path, s["maxItems"]))
        if "items" in s:
            for i, item in enumerate(v):
                check(item, s["items"], root, "%s[%d]" % (path, i), errs)


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        return 2
    with open(argv[1]) as f:
        schema = json.load(f)
    bad = 0
    for doc in argv[2:]:
        with open(doc) as f:
            v = json.load(f)
        errs = []
        check(v, schema, schema, "$", errs)
        for e in errs:
            print("%s: %s" % (doc, e))
        bad += bool(errs)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
