"""Prints the Taylor coefficients of erfcx(x) = e^(x²)·erfc(x) about x = 1, 1.5, …, 3.5 (19
each, in 300-bit arithmetic, rounded to the nearest double) for ERFCX_TAYLOR in
src/tensor/kernels/erf-core.ts. Needs mpmath (1.3 was used).

    python3 scripts/erfcx-taylor.py
"""
import mpmath as mp

mp.mp.prec = 300
TERMS = 19
for c in [1, 1.5, 2, 2.5, 3, 3.5]:
    coefficients = mp.taylor(lambda t: mp.exp(t ** 2) * mp.erfc(t), c, TERMS - 1)
    print(f'  // about {c}')
    print('  ' + ', '.join(repr(float(a)) for a in coefficients) + ',')
