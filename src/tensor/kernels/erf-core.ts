/**
 * The error function and its complement, to within about an ulp. Near zero, erf(x) is
 * x + x·R(x²) with R(z) = erf(√z)/√z − 1 summed from its Taylor series (so the last operation
 * is one addition to x, and R's own rounding errors are scaled down by |R| ≤ 0.16); erfc there
 * is (1 − x) − x·R with 1 − x carried exactly in two parts. Away from zero, erfc(x) is
 * e^(−x²)·erfcx(x) with x² split exactly and erfcx from Taylor series about fixed centres (to
 * 3.75) or a continued fraction (beyond), and erf is
 * 1 − erfc (erfc ≤ 0.16 there, so its error reaches erf scaled down too). Errors, measured
 * against 200-bit references (test/tensor/erf-accuracy.test.ts): erf within 1 ulp, erfc
 * within 2.
 * @module
 */

/** 2/√π, rounded to the nearest double. */
export const TWO_OVER_SQRT_PI = 1.1283791670955126
/** 1/√π, rounded to the nearest double. */
const ONE_OVER_SQRT_PI = 0.5641895835477563
/** Veltkamp's splitter for doubles: 2²⁷ + 1. */
const SPLITTER = 134217729
/** erfc(6) ≈ 2e-17 is below half an ulp of 1, so erf(x) rounds to ±1 from here on. */
const SATURATION = 6
/** Below this |x| the series; above it, erfc from the continued fraction. */
const SERIES_LIMIT = 0.84375

/**
 * R(z) = erf(√z)/√z − 1 = Σₙ cₙ zⁿ with c₀ = 2/√π − 1 and cₙ = (2/√π)(−1)ⁿ/(n!(2n + 1)), each
 * the nearest double (computed in 300-bit arithmetic). Through c₁₈ the truncation error is
 * below 2⁻⁶⁴ for z < SERIES_LIMIT².
 */
const R = [
  0.1283791670955126, -0.37612638903183754, 0.11283791670955126, -0.026866170645131252,
  0.005223977625442188, -0.0008548327023450853, 0.00012055332981789664, -1.492565035840625e-5,
  1.6462114365889248e-6, -1.6365844691234924e-7, 1.4807192815879218e-8, -1.2290555301717928e-9,
  9.422759064650411e-11, -6.7113668551641105e-12, 4.4632242632864775e-13, -2.7835162072109215e-14,
  1.6342614095367152e-15, -9.063970842808673e-17, 4.763348040515068e-18,
]

/** R(z) by Horner's rule. */
function ratioMinusOne(z: number): number {
  let h = R[R.length - 1]!
  for (let n = R.length - 2; n >= 0; n--) h = R[n]! + z * h
  return h
}

/**
 * e^(s·x²) for s = ±1 or ±½, to nearly full relative precision: x² is split exactly as
 * hi² + lo·(x + hi), so its rounding error (large for large x) does not reach the exponent.
 */
export function expScaledSquare(x: number, s: number): number {
  // past 1e150 the split overflows (and x² has long left the range): the answer is 0 or ∞
  if (Math.abs(x) > 1e150) return s > 0 ? Infinity : 0
  const t = SPLITTER * x
  const hi = t - (t - x)
  const lo = x - hi
  const main = Math.exp(s * hi * hi)
  // the correction factor is e^(±tiny·x²): it cannot bring an overflowed or underflowed main
  // factor back, and ∞·0 from it would be NaN
  if (main === Infinity || main === 0) return main
  return main * Math.exp(s * lo * (x + hi))
}

/**
 * Taylor coefficients of erfcx about 1, 1.5, …, 3.5 (`TAYLOR_TERMS` each, made in 300-bit
 * arithmetic by scripts/erfcx-taylor.py): within a quarter of its centre the series' tail is
 * below 2⁻⁶² of erfcx, and x − centre is exact.
 */
const ERFCX_TAYLOR = new Float64Array([
  // about 1
  0.427583576155807, -0.27321201478389856, 0.15437156137190844, -0.07922696894132675,
  0.037572296215290846, -0.016661869090414363, 0.006970142374958827, -0.0027690647758444385,
  0.001050269399778597, -0.0003819545280146314, 0.00013366297435279316, -4.514391884760696e-5,
  1.4753175917531031e-5, -4.675498912319374e-6, 1.4396681436016656e-6, -4.314441024956944e-7,
  1.260280051382464e-7, -3.593130557146447e-8, 1.0010744396309103e-8,
  // about 1.5
  0.3215854164543175, -0.16362291773256007, 0.0761510398554774, -0.03293090529956264,
  0.013377340953066719, -0.005145957547985025, 0.001886134877029727, -0.0006619300664115528,
  0.00022330994435309945, -7.265892219597859e-5, 2.2864312211826308e-5, -6.974991614225297e-6,
  2.0669707984147273e-6, -5.960823717851086e-7, 1.6754960581958065e-7, -4.596772840743168e-8,
  1.232475165105414e-8, -3.233011874217703e-9, 8.305815377475094e-10,
  // about 2
  0.25539567631050575, -0.1067964618534896, 0.04180275260352655, -0.015460637764291003,
  0.00544073853747227, -0.0018316642757385847, 0.0005924699953317003, -0.00018477836716433832,
  5.5728315250755926e-5, -1.6293719258405878e-5, 4.628175346788834e-6, -1.2795215572414928e-6,
  3.4485537205097473e-7, -9.074012509839129e-8, 2.333930312202745e-8, -5.874869180578186e-9,
  1.448695595108885e-9, -3.5029152827769595e-10, 8.312361539483256e-11,
  // about 2.5
  0.2108063640611436, -0.07434734678979467, 0.024937997086656904, -0.008001569382101607,
  0.002467036815701443, -0.0007335909371391998, 0.00021101982428448125, -5.886896469371332e-5,
  1.596185313754949e-5, -4.214295966631021e-6, 1.085222644194387e-6, -2.7295261020819155e-7,
  6.714018644565135e-8, -1.6169560629855874e-8, 3.816612124430239e-9, -8.837373758373702e-10,
  2.0090858560460168e-10, -4.487834256774895e-11, 9.85696990946992e-12,
  // about 3
  0.17900115118138996, -0.05437226000717287, 0.015884371159871336, -0.004479431018372575,
  0.0012230390523768056, -0.0003241255444968633, 8.355413962873856e-5, -2.0989464460185032e-5,
  5.1464365620458675e-6, -1.2333677275660953e-6, 2.8926667586951633e-7, -6.64668545377357e-8,
  1.4977685376051542e-8, -3.3128920630124725e-9, 7.198584552877319e-10, -1.537755596199036e-10,
  3.2316472053502647e-11, -6.68542864228184e-12, 1.3622429029619027e-12,
  // about 3.5
  0.1552936556088943, -0.041323577833252495, 0.010661133192510575, -0.0026730744396436528,
  0.0006526863268788952, -0.00015546891822700772, 3.618170436145608e-5, -8.237986560546121e-6,
  1.837187849886165e-6, -4.0173979687656533e-7, 8.621971216363728e-8, -1.817650987342452e-8,
  3.766987934441909e-9, -7.680080158273595e-10, 1.5413712557802162e-10, -3.0470410173904504e-11,
  5.936336246169481e-12, -1.140380389683685e-12, 2.1611165358628705e-13,
])
const TAYLOR_TERMS = 19
/** The series serve [0.75, 3.75); above it the continued fraction is short (≤ 21 levels). */
const TAYLOR_END = 3.75
/** Where `erfcxLarge` starts to hold: the first series' interval. */
export const ERFCX_LARGE_FROM = 0.75

/**
 * erfcx(x) = e^(x²)·erfc(x) for x ≥ ERFCX_LARGE_FROM: a Taylor series about the nearest centre
 * below 3.75; above, the J-fraction 2x/√π / (2x² + 1 − 1·2/(2x² + 5 − 3·4/(2x² + 9 − …))),
 * evaluated bottom-up to a depth that converges to an ulp (measured: 27 levels at x = 2).
 */
export function erfcxLarge(x: number): number {
  if (x < TAYLOR_END) {
    const k = Math.floor((x - 0.75) * 2)
    const t = x - (1 + 0.5 * k)
    const at = k * TAYLOR_TERMS
    let h = ERFCX_TAYLOR[at + TAYLOR_TERMS - 1]!
    for (let n = TAYLOR_TERMS - 2; n >= 0; n--) h = ERFCX_TAYLOR[at + n]! + t * h
    return h
  }
  if (x > 5e7) return ONE_OVER_SQRT_PI / x // the next term, 1/(2x²), is below an ulp
  const u = 2 * x * x
  const depth = Math.ceil(120 / (x * x)) + 12
  let t = u + 4 * depth + 1
  for (let n = depth; n >= 1; n--) t = u + 4 * n - 3 - ((2 * n - 1) * 2 * n) / t
  return (TWO_OVER_SQRT_PI * x) / t
}

/** erfc(x) for x ≥ SERIES_LIMIT: e^(−x²)·erfcx(x); 0 past 27.3 (below the least subnormal). */
function erfcLarge(x: number): number {
  return x > 27.3 ? 0 : expScaledSquare(x, -1) * erfcxLarge(x)
}

/**
 * The error function erf(x) = 2/√π ∫₀ˣ e^(−t²) dt, within an ulp; odd, so erf(−0) = −0.
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return x
  const a = Math.abs(x)
  if (a < SERIES_LIMIT) return x + x * ratioMinusOne(x * x)
  if (a >= SATURATION) return x > 0 ? 1 : -1
  const complement = erfcLarge(a)
  return x > 0 ? 1 - complement : complement - 1
}

/**
 * The complementary error function 1 − erf(x), accurate in the right tail (erfc(27) ≈ 5e-319
 * is still computed, not 0 from 1 − 1).
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return x
  if (x >= SERIES_LIMIT) return erfcLarge(x)
  if (x > -SERIES_LIMIT) {
    // 1 − x = s + e exactly (Knuth's two-sum), then one rounding for the rest
    const s = 1 - x
    const e = 1 - s - x
    return s + (e - x * ratioMinusOne(x * x))
  }
  return x < -SATURATION ? 2 : 2 - erfcLarge(-x)
}
