#!/usr/bin/env python3
# embed_js.py IN OUT NAME: write a C file defining `const char NAME[]` with
# the bytes of IN (the flame graph's script), so that flame.c carries it and
# the page needs no file at run time. Run by meson at build time.
import sys

src, dst, name = sys.argv[1:4]
data = open(src, "rb").read()
if b"]]>" in data or b"</" in data:
    sys.exit("%s: holds ]]> or </, which would end the CDATA section or "
             "the <script> element it is embedded in" % src)
out = ["/* generated from %s by embed_js.py; do not edit */" % src.split("/")[-1],
       "const char %s[] =" % name]
for line in data.decode("utf-8").splitlines(True):
    esc = line.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    out.append('    "%s"' % esc)
out.append("    ;")
open(dst, "w").write("\n".join(out) + "\n")
