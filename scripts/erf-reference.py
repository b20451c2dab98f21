"""Writes test/tensor/erf-reference.json: the error-function family at random points, in
200-bit arithmetic (ndtri at 1400 bits, so that 1 - 2p is exact), each rounded to the nearest
double and written as Python's shortest round-trip decimal. Needs mpmath (1.3 was used).

    python3 scripts/erf-reference.py
"""
import json
import math
import random

import mpmath as mp

mp.mp.prec = 200
random.seed(7)
xs = []
# the regions the kernels treat apart (src/tensor/kernels/erf-core.ts, erf-scalar.ts)
for lo, hi, n in [(1e-300, 1e-8, 10), (1e-8, 0.5, 60), (0.5, 0.84375, 60), (0.84375, 1, 60),
                  (1, 2.5, 80), (2.5, 6, 60), (6, 27, 30)]:
    xs += [random.uniform(lo, hi) for _ in range(n)]
# the boundaries between methods, and their neighbours
for b in [0.75, 0.84375, 1, 1.25, 3.75, 6, 27.3]:
    xs += [math.nextafter(b, 0), b, math.nextafter(b, 30)]
xs += [-x for x in xs]
ys = [random.uniform(-0.999999, 0.999999) for _ in range(100)]
ps = [10 ** random.uniform(-200, -0.61) for _ in range(60)] + [random.uniform(0.25, 0.75) for _ in range(40)]


def r(v):
    return repr(float(v))


out = {
    'x': [repr(x) for x in xs],
    'erf': [r(mp.erf(x)) for x in xs],
    'erfc': [r(mp.erfc(x)) for x in xs],
    'erfcx': [r(mp.exp(mp.mpf(x) ** 2) * mp.erfc(x)) for x in xs],
    'ndtr': [r(mp.ncdf(x)) for x in xs],
    'y': [repr(y) for y in ys],
    'erfinv': [r(mp.erfinv(y)) for y in ys],
    'p': [repr(p) for p in ps],
}
with mp.workprec(1400):
    out['ndtri'] = [r(-mp.sqrt(2) * mp.erfinv(1 - 2 * mp.mpf(p))) for p in ps]
with open('test/tensor/erf-reference.json', 'w') as f:
    json.dump(out, f, indent=2)
    f.write('\n')
