#!/usr/bin/env python3
"""pprof_raw_norm.py: normalise `go tool pprof -raw` output so that two
profiles with the same content print the same lines, whatever their ids and
sample order: locations are replaced by their text (with the mapping's text
instead of its id), identical samples (same stack and labels) are merged by
summing their values, and everything is sorted.

usage: pprof_raw_norm.py [--drop-time] < raw.txt > normalised.txt
"""
import re
import sys

SAMPLE = re.compile(r'^((?:\s+-?\d+)+): ((?:\d+ )*)$')
LOC = re.compile(r'^\s*(\d+): (0x[0-9a-f]+) (?:M=(\d+) )?(\[F\] )?(.*)$')
MAP = re.compile(r'^(\d+): (0x[0-9a-f]+/0x[0-9a-f]+/0x[0-9a-f]+ .*)$')


def main():
    drop_time = '--drop-time' in sys.argv[1:]
    text = sys.stdin.buffer.read().decode('utf-8', 'surrogateescape')
    lines = text.split('\n')
    header, samples, locs, maps = [], [], {}, {}
    section = 'header'
    cur_loc = None
    for ln in lines:
        if section == 'header':
            if ln == 'Samples:':
                section = 'types'
            elif ln.startswith('Time: ') and drop_time:
                pass
            elif ln:
                header.append(ln)
            continue
        if section == 'types':
            header.append('types ' + ln)
            section = 'samples'
            continue
        if section == 'samples':
            if ln == 'Locations':
                section = 'locations'
                continue
            m = SAMPLE.match(ln)
            if m:
                vals = [int(v) for v in m.group(1).split()]
                ids = m.group(2).split()
                samples.append([vals, ids, []])
            elif ln.strip():
                if not samples:
                    sys.exit('label line before any sample: %r' % ln)
                samples[-1][2].append(ln.strip())
            continue
        if section == 'locations':
            if ln == 'Mappings':
                section = 'mappings'
                continue
            m = LOC.match(ln)
            if m:
                cur_loc = m.group(1)
                locs[cur_loc] = [m.group(2), m.group(3), m.group(4) or '',
                                 [m.group(5)]]
            elif ln.strip():
                if cur_loc is None:
                    sys.exit('location line before any location: %r' % ln)
                locs[cur_loc][3].append(ln.strip())
            continue
        if section == 'mappings':
            m = MAP.match(ln)
            if m:
                maps[m.group(1)] = m.group(2)
            elif ln.strip():
                sys.exit('unexpected mapping line: %r' % ln)

    cache = {}

    def loc_text(i):
        if i in cache:
            return cache[i]
        if i not in locs:
            sys.exit('sample refers to unknown location %s' % i)
        addr, mid, folded, frames = locs[i]
        mtext = '-'
        if mid is not None:
            if mid not in maps:
                sys.exit('location %s refers to unknown mapping %s' % (i, mid))
            mtext = maps[mid]
        cache[i] = '{%s %s%s [%s]}' % (addr, folded, mtext, ' ; '.join(frames))
        return cache[i]

    merged = {}
    for vals, ids, labels in samples:
        key = ' '.join(sorted(labels)) + ' | ' + ' '.join(loc_text(i) for i in ids)
        if key in merged:
            old = merged[key]
            if len(old) != len(vals):
                sys.exit('samples with different value counts')
            merged[key] = [a + b for a, b in zip(old, vals)]
        else:
            merged[key] = list(vals)
    out = ['H ' + h for h in header]
    out.append('N stacks %d' % len(merged))
    out += sorted('S %s = %s' % (k, ' '.join(str(v) for v in vals))
                  for k, vals in merged.items())
    sys.stdout.buffer.write(('\n'.join(out) + '\n').encode('utf-8', 'surrogateescape'))


if __name__ == '__main__':
    main()
