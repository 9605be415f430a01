#!/usr/bin/env python3
"""flame_check.py: reads the frame data (var KF = {...}) that kiln writes
into a flame graph (SVG or HTML) and checks it against an independent
reading of the same selection.

  flame_check.py sums FILE FOLDED [EMPTY]  root value = folded total (+ the
      empty stack's EMPTY), every frame's value = its self + its children's,
      selfs add up to the total, "other" frames only where the graph says
  flame_check.py neutral FILE           a diff whose every frame has equal
      shares on both sides
  flame_check.py grew FILE NAME         a diff where frame NAME's share grew
  flame_check.py share FILE FOLDED REGEX  the share search must mark: the
      folded stacks holding a frame matching REGEX, percent of the total
Prints one line; exits 1 on a failed check."""
import json
import re
import sys


def load(path):
    text = open(path, encoding="utf-8").read()
    m = re.search(r"var KF=(\{.*?\});\n", text, re.S)
    if not m:
        sys.exit("no KF data in %s" % path)
    k = json.loads(m.group(1))
    s = k["s"]
    f = k["f"]
    frames = []
    stack = []
    for i in range(0, len(f), s):
        fr = {"name": k["names"][f[i]], "depth": f[i + 1], "v": f[i + 2],
              "bv": f[i + 3] if s == 4 else 0, "kids": []}
        while stack and stack[-1]["depth"] >= fr["depth"]:
            stack.pop()
        if stack:
            stack[-1]["kids"].append(fr)
        elif frames:
            sys.exit("%s: a second root at frame %d" % (path, i // s))
        frames.append(fr)
        stack.append(fr)
    return k, frames, text


def folded(path):
    rows = []
    for line in open(path, encoding="utf-8", errors="surrogateescape"):
        stack, v = line.rstrip("\n").rsplit(" ", 1)
        rows.append((stack.split(";"), int(v)))
    return rows


def main():
    cmd, path = sys.argv[1], sys.argv[2]
    k, frames, text = load(path)
    if cmd == "sums":
        rows = folded(sys.argv[3])
        empty = int(sys.argv[4]) if len(sys.argv) > 4 else 0
        want = sum(v for _, v in rows) + empty
        root = frames[0]
        bad = []
        if root["v"] != want or k["total"] != want:
            bad.append("root %d, KF.total %d, folded total %d"
                       % (root["v"], k["total"], want))
        selfs = 0
        for fr in frames:
            kids = sum(c["v"] for c in fr["kids"])
            if kids > fr["v"]:
                bad.append("frame %r: children %d > value %d"
                           % (fr["name"], kids, fr["v"]))
            selfs += fr["v"] - kids
        if selfs != want:
            bad.append("selfs sum to %d, not %d" % (selfs, want))
        others = [fr for fr in frames if fr["name"].startswith("other (")]
        merged = re.search(r"(\d+) frames? below [0-9.e+-]+% merged", text)
        if others and not merged:
            bad.append("%d other frames, but the graph says nothing merged"
                       % len(others))
        if merged and not others:
            bad.append("the graph says frames merged, but has no other frame")
        if merged:
            n = sum(int(re.match(r"other \((\d+)", fr["name"]).group(1))
                    for fr in others)
            if n != int(merged.group(1)):
                bad.append("other frames hold %d frames, title says %s"
                           % (n, merged.group(1)))
        if bad:
            print("; ".join(bad[:5]))
            return 1
        print("%d frames (%d other), values sum to the total %d exactly"
              % (len(frames), len(others), want))
        return 0
    if cmd in ("neutral", "grew"):
        T, B = k["total"], k["btotal"]
        changed = [fr for fr in frames if fr["v"] * B != fr["bv"] * T]
        if cmd == "neutral":
            if changed or not k["diff"] or T == 0:
                print("%d frames changed share: %s" % (
                    len(changed), [fr["name"] for fr in changed[:5]]))
                return 1
            print("%d frames, every one neutral (equal shares)" % len(frames))
            return 0
        name = sys.argv[3]
        grew = [fr for fr in frames if fr["name"] == name and
                fr["v"] * B > fr["bv"] * T]
        if not grew:
            print("no frame %r whose share grew" % name)
            return 1
        print("%s grew: %d/%d in target vs %d/%d in base"
              % (name, grew[0]["v"], T, grew[0]["bv"], B))
        return 0
    if cmd == "share":
        rows = folded(sys.argv[3])
        r = re.compile(sys.argv[4])
        tot = sum(v for _, v in rows)
        hit = sum(v for st, v in rows if any(r.search(f) for f in st))
        print("%.2f" % (100.0 * hit / tot if tot else 0))
        return 0
    sys.exit("unknown command " + cmd)


sys.exit(main())
