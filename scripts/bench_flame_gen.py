#!/usr/bin/env python3
# bench_flame_gen.py OUT N: a folded-stacks profile whose flame graph has N
# frames (distinct call paths) below the root, deterministic (seed 1): a few
# shared frames near the root fanning out into deep unique paths of
# Go-like names, as a large service's profile does. For the flame graph
# rows of scripts/bench.
import random, sys
rng = random.Random(1)
want = int(sys.argv[2])
pk = ["github.com/acme/svc%d/internal/mod%d" % (i % 40, i) for i in range(400)]
names = ["%s.(*T%d).Method%d" % (pk[rng.randrange(400)], rng.randrange(30), i) for i in range(20000)]
seen = set()
out = open(sys.argv[1], "w")
while len(seen) < want:
    depth = rng.randrange(6, 40)
    st = []
    for d in range(depth):
        # shallow levels share frames, deeper ones fan out
        pool = 8 if d < 2 else 60 if d < 5 else len(names)
        st.append(names[rng.randrange(pool)])
        seen.add(tuple(st))
        if len(seen) >= want:
            break
    out.write("%s %d\n" % (";".join(st), rng.randrange(1, 1000)))
