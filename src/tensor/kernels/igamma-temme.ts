/**
 * Temme's uniform asymptotic expansion of the regularized incomplete gamma functions, for
 * large a with x near a, where the series and the continued fraction need O(√a) terms
 * (DLMF §8.12; Temme 1979; DiDonato & Morris 1986, §3):
 *
 *   Q(a, x) = ½erfc(η√(a/2)) + R,   P(a, x) = ½erfc(−η√(a/2)) − R,
 *   R = e^(−aη²/2)/√(2πa) · Σₖ cₖ(η)·a⁻ᵏ,
 *
 * with λ = x/a, ½η² = λ − 1 − ln λ and η of the sign of λ − 1. Each cₖ is analytic in η, with
 * radius of convergence 2√π, and is summed from its Taylor series in η. The expansion's
 * error is about c_K(η)·a⁻ᴷ, below an ulp for a ≥ TEMME_MIN_A.
 *
 * Derivatives in a: the same expansion in truncated Taylor arithmetic in δ, for a + δ at
 * fixed x (every quantity a vector of k + 1 coefficients).
 * @module
 */
import type { Floats } from '../tensor.ts'
import { erfc } from './erf-core.ts'
import { erfcx } from './erf-scalar.ts'

/** The expansion is used for a ≥ this and |x − a| ≤ TEMME_WIDTH·a. */
export const TEMME_MIN_A = 20
/**
 * Half-width of the region, relative to a. Outside it the series (x ≤ 0.7a: under 170 terms)
 * and the continued fraction (x ≥ 1.3a: under 30) converge fast for every a; inside it they
 * need O(√a) terms. |η| ≤ 0.34 here, a tenth of the radius of convergence of the cₖ.
 */
export const TEMME_WIDTH = 0.3

/** log(1 + t) − t without cancellation: −t·u + 2u³(1/3 + u²/5 + …) with u = t/(2 + t). */
export function log1pmx(t: number): number {
  if (Math.abs(t) > 0.5) return Math.log1p(t) - t
  const u = t / (2 + t)
  const u2 = u * u
  let sum = 0
  for (let k = 19; k >= 1; k--) sum = sum * u2 + 1 / (2 * k + 1)
  return -t * u + 2 * u * u2 * sum
}

/** Whether (a, x) is in the region of Temme's expansion. */
export function inTemmeRegion(a: number, x: number): boolean {
  return a >= TEMME_MIN_A && Math.abs(x - a) <= TEMME_WIDTH * a
}

/** Number of terms cₖ, and of Taylor coefficients of each in η. */
const TERMS_K = 12
const TERMS_N = 25

/**
 * C[k·TERMS_N + n]: the coefficient of ηⁿ in cₖ(η), each the nearest double. Computed in
 * 120-digit arithmetic from DLMF 8.12.9–10: c₀ = 1/(λ − 1) − 1/η and
 * cₖ = (1/η)·c′ₖ₋₁ + (−1)ᵏγₖ/(λ − 1), γₖ the coefficients of Stirling's series of Γ*(a),
 * with λ − 1 in powers of η by Lagrange inversion. c₀ = −1/3 + η/12 − …, c₁ = −1/540 − …
 */
const C: readonly number[] = [
  // c0
  -0.3333333333333333, 0.08333333333333333, -0.014814814814814815, 0.0011574074074074073,
  0.0003527336860670194, -0.0001787551440329218, 3.919263178522438e-5, -2.185448510679992e-6,
  -1.85406221071516e-6, 8.296711340953087e-7, -1.7665952736826078e-7, 6.707853543401498e-9,
  1.0261809784240309e-8, -4.382036018453353e-9, 9.14769958223679e-10, -2.5514193994946248e-11,
  -5.830772132550426e-11, 2.4361948020667415e-11, -5.0276692801141755e-12, 1.1004392031956135e-13,
  3.371763262400985e-13, -1.392388722418162e-13, 2.8534893807047445e-14, -5.139111834242572e-16,
  -1.9752288294349442e-15,
  // c1
  -0.001851851851851852, -0.003472222222222222, 0.0026455026455026454, -0.0009902263374485596,
  0.00020576131687242798, -4.018775720164609e-7, -1.8098550334489977e-5, 7.64916091608111e-6,
  -1.6120900894563446e-6, 4.647127802807434e-9, 1.378633446915721e-7, -5.752545603517705e-8,
  1.1951628599778148e-8, -1.7543241719747647e-11, -1.0091543710600413e-9, 4.162792991842583e-10,
  -8.56390702649298e-11, 6.067215101604758e-14, 7.1624989648114856e-12, -2.933186643771437e-12,
  5.996696365683689e-13, -2.1671786527323313e-16, -4.978339972369262e-14, 2.0291628823713425e-14,
  -4.13125571381061e-15,
  // c2
  0.004133597883597883, -0.0026813271604938273, 0.0007716049382716049, 2.0093878600823047e-6,
  -0.0001073665322636516, 5.2923448829120125e-5, -1.2760635188618728e-5, 3.423578734096138e-8,
  1.3721957309062934e-6, -6.298992138380055e-7, 1.4280614206064242e-7, -2.0477098421990866e-10,
  -1.409252991086752e-8, 6.228974084922022e-9, -1.3670488396617114e-9, 9.428356159014678e-13,
  1.2872252400089318e-10, -5.5645956134363323e-11, 1.197593554636698e-11, -4.1689782251838634e-15,
  -1.0940640427884595e-12, 4.662239946390136e-13, -9.905105763906907e-14, 1.8931876768373515e-17,
  8.859221872591127e-15,
  // c3
  0.0006494341563786008, 0.00022947209362139917, -0.0004691894943952557, 0.00026772063206283885,
  -7.561801671883977e-5, -2.396505113867297e-7, 1.1082654115347302e-5, -5.6749528269915965e-6,
  1.4230900732435883e-6, -2.7861080291528143e-11, -1.6958404091930278e-7, 8.099464905388083e-8,
  -1.9111168485973655e-8, 2.3928620439808118e-12, 2.0620131815488797e-9, -9.460496661855133e-10,
  2.1541049775774907e-10, -1.388823336813903e-14, -2.1894761681963938e-11, 9.790998951171684e-12,
  -2.178219188018096e-12, 6.208819573407901e-17, 2.126978363279737e-13, -9.344688791517433e-14,
  2.045367122678285e-14,
  // c4
  -0.0008618882909167117, 0.0007840392217200666, -0.0002990724803031902, -1.4638452578843418e-6,
  6.641498215465122e-5, -3.968365047179435e-5, 1.1375726970678419e-5, 2.507497226237533e-10,
  -1.6954149536558305e-6, 8.907507532205309e-7, -2.292934834000805e-7, 2.956794137544049e-11,
  2.8865829742708783e-8, -1.4189739437803219e-8, 3.4463580499464896e-9, -2.3024517174528067e-13,
  -3.9409233028046403e-10, 1.86023389685045e-10, -4.356323005056618e-11, 1.278600101629623e-15,
  4.67927502665792e-12, -2.149246470613483e-12, 4.908815614809652e-13, -6.33859148489156e-18,
  -5.045332069080094e-14,
  // c5
  -0.00033679855336635813, -6.972813758365857e-5, 0.0002772753244959392, -0.00019932570516188847,
  6.797780477937208e-5, 1.419062920643967e-7, -1.3594048189768693e-5, 8.018470256334202e-6,
  -2.291481176508095e-6, -3.252473551298454e-10, 3.4652846491085265e-7, -1.8447187191171344e-7,
  4.8240967037894184e-8, -1.7989466721743514e-14, -6.306194500013523e-9, 3.162417628774568e-9,
  -7.840924253697429e-10, 5.192679165254041e-15, 9.358944242306784e-11, -4.513426216163278e-11,
  1.0799129993116828e-11, -3.661886712685252e-17, -1.210902069055155e-12, 5.680743584990564e-13,
  -1.3249659916340829e-13,
  // c6
  0.0005313079364639922, -0.0005921664373536939, 0.0002708782096718045, 7.902353232660328e-7,
  -8.153969367561969e-5, 5.61168275310625e-5, -1.8329116582843375e-5, -3.0796134506033047e-9,
  3.465155368803609e-6, -2.0291327396058603e-6, 5.788792863149004e-7, 2.338630673826657e-13,
  -8.828600746330484e-8, 4.7435958880408125e-8, -1.2545415020710383e-8, 8.649648858010293e-14,
  1.6846058979264062e-9, -8.575492823577594e-10, 2.1598224929232125e-10, -7.613230520476153e-16,
  -2.6639822008536144e-11, 1.3065700536611057e-11, -3.1799163902367977e-12, 4.710976121367431e-18,
  3.6902800842763465e-13,
  // c7
  0.00034436760689237765, 5.171790908260592e-5, -0.00033493161081142234, 0.0002812695154763237,
  -0.00010976582244684731, -1.2741009095484485e-7, 2.7744451511563645e-5, -1.8263488805711332e-5,
  5.7876949497350525e-6, 4.93875893393627e-10, -1.0595367014026043e-6, 6.166714376110408e-7,
  -1.7562973359060463e-7, -1.297447328701544e-12, 2.695423606288966e-8, -1.4578352908731272e-8,
  3.887645959386175e-9, -3.881002251019412e-17, -5.327994173877286e-10, 2.7437977643314844e-10,
  -6.995796092070568e-11, 2.589986387486848e-17, 8.856689099669639e-12, -4.403168815871311e-12,
  1.0865561947091654e-12,
  // c8
  -0.0006526239185953094, 0.0008394987206720873, -0.000438297098541721, -6.969091458420552e-7,
  0.00016644846642067547, -0.00012783517679769218, 4.629953263691304e-5, 4.557909867922708e-9,
  -1.0595271125805195e-5, 6.783342904865167e-6, -2.1075476666258803e-6, -1.7213731432817144e-11,
  3.773587741611098e-7, -2.1867506700122867e-7, 6.220228804018927e-8, 6.597703826733e-16,
  -9.590386497425686e-9, 5.213214492280807e-9, -1.3991589583935709e-9, 5.382058999060575e-16,
  1.9484714275467745e-10, -1.0127287556389682e-10, 2.6077347197254926e-11, -5.090418699993299e-18,
  -3.3721464474854593e-12,
  // c9
  -0.0005967612901927463, -7.204895416020011e-5, 0.0006782308837667328, -0.0006401475260262758,
  0.00027750107634328704, 1.819700838046515e-7, -8.479507117068503e-5, 6.105192082501531e-5,
  -2.1073920183404862e-5, -8.858589014125599e-10, 4.5284535953805374e-6, -2.8427815022504407e-6,
  8.708234177864641e-7, 3.6886101871706966e-12, -1.534469519070206e-7, 8.862466778790695e-8,
  -2.5184812301826817e-8, -1.0225912098215092e-14, 3.896947075815478e-9, -2.1267304792235634e-9,
  5.737013552805138e-10, -1.8877498501697116e-19, -8.093153869465787e-11, 4.23827232834492e-11,
  -1.1002224534207725e-11,
  // c10
  0.0013324454494800656, -0.0019144384985654776, 0.0011089369134596636, 9.9324041226423e-7,
  -0.0005087450129309319, 0.00042735056665392886, -0.00016858853767910798, -8.1301893922785e-9,
  4.5284402370562144e-5, -3.127053674781734e-5, 1.044986828530338e-5, 4.8435226265680926e-11,
  -2.148256587345626e-6, 1.329369701097492e-6, -4.029569309210103e-7, -1.756787766632329e-13,
  7.014504316366825e-8, -4.040787734999483e-8, 1.1474026743371964e-8, 3.964274685356394e-18,
  -1.7804938269892715e-9, 9.748026254873165e-10, -2.6405338676507616e-10, 5.79487516340376e-18,
  3.764774955354384e-11,
  // c11
  0.001579727660730835, 0.00016251626278391583, -0.0020633421035543276, 0.00213896861856891,
  -0.0010108559391263003, -3.99127055299192e-7, 0.0003623502508476469, -0.00028143901463712157,
  0.00010449513336495887, 2.12114184918303e-9, -2.5779417251947842e-5, 1.7281818956040464e-5,
  -5.641377387290428e-6, -1.1024320105776174e-11, 1.1223224418895174e-6, -6.869339637952674e-7,
  2.0653236975414888e-7, 4.6714772409838506e-14, -3.5609886164949055e-8, 2.0470855345905963e-8,
  -5.809173863328336e-9, -1.3328212875828647e-16, 9.035460439133513e-10, -4.959878251733084e-10,
  1.3481607129399748e-10,
]

/** Terms of the series of η/μ in μ = λ − 1 (radius 1; |μ| ≤ 0.3 here: 40 reach 1e-21). */
const ETA_TERMS = 40

/**
 * The coefficients of η/μ = √g(μ), g(μ) = 2(μ − ln(1 + μ))/μ² = Σ 2(−μ)ⁿ/(n + 2): the square
 * root of a series with g₀ = 1, hₙ = (gₙ − Σ hᵢhₙ₋ᵢ)/2 over 0 < i < n.
 */
function etaOverMuSeries(): Float64Array {
  const h = new Float64Array(ETA_TERMS)
  h[0] = 1
  for (let n = 1; n < ETA_TERMS; n++) {
    let acc = (2 * (n % 2 === 0 ? 1 : -1)) / (n + 2)
    for (let i = 1; i < n; i++) acc -= h[i]! * h[n - i]!
    h[n] = acc / 2
  }
  return h
}
const ETA_OVER_MU = etaOverMuSeries()

/** Σₖ cₖ(η)·a⁻ᵏ, both sums by Horner. */
function coefficientSum(eta: number, a: number): number {
  const r = 1 / a
  let sum = 0
  for (let k = TERMS_K - 1; k >= 0; k--) {
    let ck = 0
    for (let n = TERMS_N - 1; n >= 0; n--) ck = ck * eta + C[k * TERMS_N + n]!
    sum = sum * r + ck
  }
  return sum
}

/**
 * Q(a, x) (upper) or P(a, x) by Temme's expansion; requires inTemmeRegion(a, x). The smaller
 * of the two is e^(−u²)·(½erfcx(|u|) ± R̃), u = η√(a/2), with e^(−u²) = e^(a·log1pmx(μ)) from
 * the cancellation-free log1pmx; the other is 1 minus it.
 */
export function temme(a: number, x: number, upper: boolean): number {
  const mu = (x - a) / a
  const halfEta2 = -log1pmx(mu)
  const eta = mu < 0 ? -Math.sqrt(2 * halfEta2) : Math.sqrt(2 * halfEta2)
  const u = eta * Math.sqrt(a / 2)
  const scale = Math.exp(-a * halfEta2)
  const r = coefficientSum(eta, a) / Math.sqrt(2 * Math.PI * a)
  if (eta >= 0) {
    const q = scale * (0.5 * erfcx(u) + r)
    return upper ? q : 1 - q
  }
  const p = scale * (0.5 * erfcx(-u) - r)
  return upper ? 1 - p : p
}

// ---- derivatives in a: Taylor arithmetic in δ ----------------------------------------------

/** Scratch series (grown on demand): no allocation per element. */
let work = new Float64Array(12 * 8)

/** out ← p·q, truncated to n coefficients; out must not alias p or q. */
function product(p: Floats, q: Floats, out: Floats, n: number): void {
  for (let j = 0; j < n; j++) {
    let acc = 0
    for (let i = 0; i <= j; i++) acc += p[i]! * q[j - i]!
    out[j] = acc
  }
}

/** c·(1 + δ/a)^α into out: c times the binomial series in δ/a. */
function binomialSeries(c: number, alpha: number, a: number, out: Floats, n: number): void {
  out[0] = c
  for (let j = 1; j < n; j++) out[j] = (out[j - 1]! * (alpha - j + 1)) / (j * a)
}

/**
 * ∂ᵏP/∂aᵏ (k ≥ 1) by Temme's expansion at a + δ, x fixed; requires inTemmeRegion(a, x).
 * μ = x/(a + δ) − 1, η = μ·Σ hₘμᵐ, u = η·√((a + δ)/2); then ½erfc(u) has coefficients from
 * (½erfc u)′ = −e^(−u²)·u′/√π, and R = e^(−u²)·(2π(a + δ))^(−½)·Σₖ cₖ(η)·(a + δ)⁻ᵏ.
 */
export function temmeDerivA(a: number, x: number, k: number): number {
  const n = k + 1
  if (work.length < 12 * n) work = new Float64Array(24 * n)
  const inv = work.subarray(0, n)
  const mu = work.subarray(n, 2 * n)
  const eta = work.subarray(2 * n, 3 * n)
  const u = work.subarray(3 * n, 4 * n)
  const w = work.subarray(4 * n, 5 * n)
  const e = work.subarray(5 * n, 6 * n)
  const q = work.subarray(6 * n, 7 * n)
  const s = work.subarray(7 * n, 8 * n)
  const c = work.subarray(8 * n, 9 * n)
  const t = work.subarray(9 * n, 10 * n)
  const pre = work.subarray(10 * n, 11 * n)
  // 1/(a + δ), and μ = x/(a + δ) − 1 with its constant term exact near x = a
  binomialSeries(1 / a, -1, a, inv, n)
  for (let j = 0; j < n; j++) mu[j] = x * inv[j]!
  mu[0] = (x - a) / a
  // η = μ·(h₀ + μ(h₁ + …)), Horner in series arithmetic
  t.fill(0)
  t[0] = ETA_OVER_MU[ETA_TERMS - 1]!
  for (let m = ETA_TERMS - 2; m >= 0; m--) {
    product(t, mu, c, n)
    t.set(c)
    t[0] = t[0]! + ETA_OVER_MU[m]!
  }
  product(t, mu, eta, n)
  // u = η·√((a + δ)/2); w = −u²; e = exp(w)
  binomialSeries(Math.sqrt(a / 2), 0.5, a, t, n)
  product(eta, t, u, n)
  product(u, u, w, n)
  for (let j = 0; j < n; j++) w[j] = -w[j]!
  e[0] = Math.exp(w[0]!)
  for (let m = 1; m < n; m++) {
    let acc = 0
    for (let j = 1; j <= m; j++) acc += j * w[j]! * e[m - j]!
    e[m] = acc / m
  }
  // ½erfc(u): constant term, then the integral of −e^(−u²)·u′/√π
  q[0] = 0.5 * erfc(u[0]!)
  for (let m = 1; m < n; m++) {
    let acc = 0
    for (let j = 1; j <= m; j++) acc += j * u[j]! * e[m - j]!
    q[m] = -acc / (m * Math.sqrt(Math.PI))
  }
  // Σₖ cₖ(η)·(a + δ)⁻ᵏ, Horner in k over Horner in η
  s.fill(0)
  for (let kk = TERMS_K - 1; kk >= 0; kk--) {
    product(s, inv, t, n)
    s.set(t)
    c.fill(0)
    for (let m = TERMS_N - 1; m >= 0; m--) {
      product(c, eta, t, n)
      c.set(t)
      c[0] = c[0]! + C[kk * TERMS_N + m]!
    }
    for (let j = 0; j < n; j++) s[j] = s[j]! + c[j]!
  }
  // R = e^(−u²)·(2π(a + δ))^(−½)·Σ, added to q
  binomialSeries(1 / Math.sqrt(2 * Math.PI * a), -0.5, a, pre, n)
  product(e, pre, t, n)
  product(t, s, c, n)
  let factorial = 1
  for (let j = 2; j <= k; j++) factorial *= j
  // ∂ᵏP/∂aᵏ = −∂ᵏQ/∂aᵏ
  return -factorial * (q[k]! + c[k]!)
}
