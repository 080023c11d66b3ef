"""Adds seeds made from ../shared/vectors (not copied into this repository) to a working corpus:
the iron seals for sealed-cookie, the access tokens inside them for jwt, the open-redirect
payloads for query. Usage: shared-seeds.py <target> <directory>"""
import json, os, sys

target, out = sys.argv[1], sys.argv[2]
vectors = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "vectors")
if not os.path.isdir(vectors):
    sys.exit(0)

def write(name, text):
    with open(os.path.join(out, name), "w", encoding="utf-8", errors="surrogateescape") as f:
        f.write(text)

seals = json.load(open(os.path.join(vectors, "iron-vectors.json")))
if target == "sealed-cookie":
    for i, vector in enumerate(seals):
        write("shared-seal-%02d" % i, vector["sealed"])
elif target == "jwt":
    for i, vector in enumerate(seals):
        try:
            token = json.loads(vector.get("plaintext_json") or "null").get("accessToken")
        except (AttributeError, ValueError):
            token = None
        if token:
            write("shared-token-%02d" % i, token)
elif target == "query":
    for name in ("oauth2-proxy-openredirects.txt", "mod_auth_openidc-payloads.txt"):
        lines = open(os.path.join(vectors, "open-redirect", name), encoding="utf-8", errors="surrogateescape").read().split("\n")
        for i, line in enumerate(l for l in lines if l):
            write("shared-%s-%04d" % (name[:5], i), line)
