#!/usr/bin/env python3
"""formats_check.py WORK N: the checks of formats.sh over WORK/1..N, as TAP.

Each directory holds kiln's pprof output read by the independent reader
(out.canon: "H sample_type[i] type/unit" and "S key = v1 v2 ..." lines), and
the json, folded and top renderings of the same query."""
import json
import re
import sys


def totals(canon_path):
    """Sample type names; per-type totals; the same without samples whose
    stack is empty; per-type sums of |value| over stacks (labels summed
    away), which is what pprof's -top calls the total."""
    types, tot, nonempty = {}, None, None
    per_stack = {}
    for line in open(canon_path, encoding='utf-8', errors='surrogateescape'):
        m = re.match(r'H sample_type\[(\d+)\] (.*)$', line.rstrip('\n'))
        if m:
            types[int(m.group(1))] = m.group(2)
        if line.startswith('S '):
            key, v = line.rstrip('\n').rsplit(' = ', 1)
            vals = [int(x) for x in v.split()]
            tot = vals if tot is None else [a + b for a, b in zip(tot, vals)]
            stack = key.split('|', 1)[1].strip()
            if stack:
                nonempty = vals if nonempty is None else [a + b for a, b in zip(nonempty, vals)]
            old = per_stack.get(stack)
            per_stack[stack] = vals if old is None else [a + b for a, b in zip(old, vals)]
    names = [types[k] for k in sorted(types)]
    zero = [0] * len(names)
    absum = zero[:]
    for vals in per_stack.values():
        absum = [a + abs(b) for a, b in zip(absum, vals)]
    return names, tot or zero, nonempty or zero, absum


def unescape(s):
    """canon escapes bytes as \\xNN; JSON has text: compare loosely."""
    return re.sub(r'\\x[0-9a-f]{2}', '?', s)


def check(d):
    name = open(d + '/name').read().strip()
    try:
        fail = open(d + '/fail').read().strip()
        return name, [fail]
    except FileNotFoundError:
        pass
    problems = []
    names, tot, nonempty, absum = totals(d + '/out.canon')
    if not names:
        return name, ['the pprof output has no sample types']
    # JSON
    try:
        j = json.load(open(d + '/out.json', encoding='utf-8'))
    except Exception as e:  # noqa: BLE001 - any failure is the finding
        return name, ['JSON does not parse: %s' % e]
    jt = ['%s/%s' % (t.get('type', ''), t.get('unit', '')) for t in j.get('types', [])]
    if [unescape(x) for x in names] != [re.sub(r'[^\x20-\x7e]', '?', x) for x in jt]:
        problems.append('JSON types %s, pprof %s' % (jt, names))
    jtot = [0] * len(jt)
    for st in j.get('stacks', []):
        for k, v in enumerate(st.get('values', [])):
            if k < len(jtot):
                jtot[k] += v
    if jtot != tot:
        problems.append('JSON stack totals %s, pprof %s' % (jtot, tot))
    # folded: the last type, as pprof shows by default
    ftot = 0
    for line in open(d + '/out.folded', encoding='utf-8', errors='surrogateescape'):
        line = line.rstrip('\n')
        if line:
            ftot += int(line.rsplit(' ', 1)[1])
    if ftot != nonempty[-1]:  # folded cannot show the empty stack
        problems.append('folded total %d, pprof total of %s over non-empty stacks %d'
                        % (ftot, names[-1], nonempty[-1]))
    # top: "... of 1.96s total (1960000000 nanoseconds)" in its header:
    # values in human units, the exact total in parentheses
    top = open(d + '/out.top', encoding='utf-8', errors='surrogateescape').read()
    m = re.search(r' total \((-?\d+) [^)]*\)', top)
    if not m:
        if tot[-1] != 0 or 'No samples' not in top:
            problems.append('top has no total line: %r' % top[:200])
    elif int(m.group(1)) != absum[-1]:
        problems.append('top total %s, pprof sum of |value| per stack of %s %d'
                        % (m.group(1), names[-1], absum[-1]))
    return name, problems


def main():
    work, n = sys.argv[1], int(sys.argv[2])
    bad = 0
    for i in range(1, n + 1):
        name, problems = check('%s/%d' % (work, i))
        if problems:
            bad += 1
            print('not ok %d - renderings agree on %s' % (i, name))
            for p in problems:
                print('# ' + p[:400])
        else:
            print('ok %d - renderings agree on %s' % (i, name))
    print('1..%d' % n)
    print('# %d of %d agree' % (n - bad, n))


if __name__ == '__main__':
    main()
