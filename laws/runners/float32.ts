/**
 * Runners of the float32 laws over the registry. At a point of each primitive's own domain,
 * the differentiable arguments are rounded to float32 (plain numbers become rank-0 float32
 * tensors, so the float32 path runs for every primitive), and:
 *
 * - `float32-agreement`: the result is float32 and agrees with float64 on the same (rounded)
 *   arguments, rounded to float32, within `VALUE_ULPS` ulps plus `VALUE_SCALE` of the largest
 *   value (kernels that accumulate in float32, as matmul's, need the second part); its tangent
 *   (`jvp`) and each cotangent (`vjp`) are float32 and agree with float64 to `DERIVATIVE_TOL` of
 *   the output's scale (derivative rules round at every op); `vmap` over two examples gives
 *   float32 equal to each example's value; `jit`, traced and replayed, gives the eager bits.
 * - `float32-fd`: the float32 tangent agrees with central differences of the primitive
 *   evaluated in float32 (`fdFloat32`: h = 2⁻¹², tolerance 2e-3).
 *
 * Tolerances are documented in docs/guide/performance.md ("float32").
 * @module
 */
import fc, { type GeneratorValue } from 'fast-check'
import { astype, jit, jvp, Tensor, vjp, vmap } from 'fluxion'
import { explain, fdAgreement, fdFloat32, holds, type Numeric } from 'fluxion/testing'
import { bindN } from '../../src/core/bind.ts'
import type { Primitive } from '../../src/core/primitive.ts'
import type { Val } from '../../src/core/tracer.ts'
import { drawDyadicFrom, drawFrom, drawLike } from '../draw.ts'
import { differentiableArguments } from '../subject.ts'
import { sameBits } from './jit.ts'
import type { Runner } from './point.ts'

/** Unit roundoff of float32. */
const U32 = 2 ** -24
/** Ulps of float32 a value may differ from float64's rounded result. */
const VALUE_ULPS = 2
/** Share of the output's largest magnitude a value may differ by (float32 accumulation). */
const VALUE_SCALE = 2 ** -18
/** Tolerance of a float32 derivative, relative to the float64 derivative's scale. */
const DERIVATIVE_TOL = 2 ** -12
/**
 * Absolute floor of a derivative's tolerance: a derivative that float64 finds to be zero up to
 * rounding (a cancellation of terms of order 1, tangents and cotangents in [−1, 1]) is float32
 * rounding noise, of order 64u, in float32.
 */
const DERIVATIVE_FLOOR = 64 * U32

const f32 = (v: Numeric): Tensor => astype(v, 'float32')
const f64 = (v: Numeric): Numeric => (typeof v === 'number' ? v : astype(v, 'float64'))

const valuesOf = (v: unknown): number[] => {
  if (typeof v === 'number') return [v]
  if (v instanceof Tensor) return Array.from(v.data)
  if (Array.isArray(v)) return v.flatMap(valuesOf)
  return []
}
const maxAbs = (xs: readonly number[]): number =>
  xs.reduce((m, x) => (Number.isFinite(x) ? Math.max(m, Math.abs(x)) : m), 0)

/** Every tensor among `v`'s leaves is float32 (a plain number is weak and passes). */
const allFloat32 = (v: unknown): boolean => {
  if (v instanceof Tensor) return v.dtype === 'float32'
  if (Array.isArray(v)) return v.every(allFloat32)
  return true
}

/** `a` within `tol(i, ref)` of `ref` elementwise; NaN matches NaN and infinities match exactly. */
const close = (
  a: readonly number[],
  ref: readonly number[],
  tol: (r: number) => number,
): number => {
  if (a.length !== ref.length) return 0
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!
    const r = ref[i]!
    if (Number.isNaN(r) ? Number.isNaN(x) : x === r || Math.abs(x - r) <= tol(r)) continue
    return i
  }
  return -1
}

/** A sampled point with its float32 arguments and the same values in float64. */
interface Point32 {
  /** Whether the result must be float32 (not for `astype`, whose params say). */
  readonly float32: boolean
  readonly apply: (...xs: Val[]) => Val
  readonly xs32: Tensor[]
  readonly xs64: Numeric[]
  readonly label: string
  readonly g: GeneratorValue
}

const pointOf = (p: Primitive, g: GeneratorValue): Point32 => {
  const { args, params } = p.domain.sample(drawFrom(g))
  const free = differentiableArguments(p, args.length)
  const xs32 = free.map((i) => f32(args[i]!))
  const xs64 = xs32.map(f64)
  const apply = (...xs: Val[]): Val => {
    const full: Val[] = args.slice()
    free.forEach((position, i) => {
      full[position] = xs[i]!
    })
    return bindN(p, full, params)
  }
  const shapes = xs32.map((x) => `[${x.shape}]`).join(', ')
  return {
    float32: p.outDtype === undefined,
    apply,
    xs32,
    xs64,
    label: `${p.name}(${shapes}) ${JSON.stringify(params) ?? ''}`,
    g,
  }
}

const fail = (pt: Point32, what: string, got: unknown, want: unknown, at: number): never => {
  const [x, r] = [valuesOf(got), valuesOf(want)]
  throw new Error(`${pt.label}: ${what} at element ${at}: ${x[at]} vs ${r[at]}`)
}

/** The value and its float32-ness. */
const valueLaw = (pt: Point32): void => {
  const y32 = pt.apply(...pt.xs32)
  if (!pt.float32) return
  if (!allFloat32(y32)) throw new Error(`${pt.label}: the result is not float32`)
  const y64 = valuesOf(pt.apply(...pt.xs64))
  const scale = VALUE_SCALE * maxAbs(y64)
  const rounded = y64.map(Math.fround)
  // float32's ulp is 2·u·|r| for normal values and 2⁻¹⁴⁹ among its subnormals (a solve whose
  // right-hand side is ~1e-43 lands there: a seed found 1 subnormal ulp between the two)
  const at = close(
    valuesOf(y32),
    rounded,
    (r) => VALUE_ULPS * Math.max(2 * U32 * Math.abs(r), 2 ** -149) + scale,
  )
  if (at >= 0) fail(pt, 'float32 differs from float64 rounded', y32, rounded, at)
  // jit: traced then replayed, the eager bits
  const jitted = jit(pt.apply)
  for (const call of ['traced', 'replayed']) {
    const yj = jitted(...pt.xs32)
    if (!sameBits(yj, y32) || !allFloat32(yj)) {
      throw new Error(`${pt.label}: jit ${call} differs from eager float32`)
    }
  }
  // vmap over a batch of two copies of the point (another point could leave the domain)
  const stacked = pt.xs32.map((x) => f32(stackTwo(x, x)))
  const batched = vmap(pt.apply)(...stacked)
  if (!allFloat32(batched)) throw new Error(`${pt.label}: vmap's result is not float32`)
  const each = [y32, y32].flatMap(valuesOf)
  const scaleB = VALUE_SCALE * maxAbs(each)
  const atB = close(valuesOf(batched), each, (r) => VALUE_ULPS * 2 * U32 * Math.abs(r) + scaleB)
  if (atB >= 0) fail(pt, 'vmap differs from each example', batched, each, atB)
}

const stackTwo = (a: Tensor, b: Tensor): Tensor => {
  const data = new Float64Array(a.size * 2)
  data.set(a.data, 0)
  data.set(b.data, a.size)
  return new Tensor(data, [2, ...a.shape])
}

/** jvp and vjp in float32 against float64. */
const derivativeLaw = (pt: Point32): void => {
  const draw = drawFrom(pt.g)
  const t32 = pt.xs32.map((x) => f32(drawLike(draw, x)))
  const [, yDot32] = jvp(pt.apply, pt.xs32, t32)
  const [, yDot64] = jvp(pt.apply, pt.xs64, t32.map(f64))
  compareDerivative(pt, 'jvp', yDot32, yDot64)
  const [y32, pullback32] = vjp(pt.apply, ...pt.xs32)
  const yBar = f32(drawLike(draw, y32 as Numeric))
  const xBars32 = pullback32(yBar)
  const [, pullback64] = vjp(pt.apply, ...pt.xs64)
  compareDerivative(pt, 'vjp', xBars32, pullback64(f64(yBar)))
}

const compareDerivative = (pt: Point32, what: string, got: unknown, want: unknown): void => {
  if (pt.float32 && !allFloat32(got))
    throw new Error(`${pt.label}: the ${what} result is not float32`)
  const ref = valuesOf(want)
  const scale = maxAbs(ref)
  const at = close(
    valuesOf(got),
    ref,
    (r) => DERIVATIVE_TOL * (Math.abs(r) + scale) + DERIVATIVE_FLOOR,
  )
  if (at >= 0) fail(pt, `${what} in float32 differs from float64`, got, want, at)
}

/** Central differences evaluated in float32, along multiples of 2⁻¹⁰ (exact points). */
const fdLaw = (pt: Point32): void => {
  const t = pt.xs32.map((x) => drawLike(drawDyadicFrom(pt.g, 2 ** 10), x))
  const equation = fdAgreement(pt.apply as (...xs: Numeric[]) => Numeric, fdFloat32)(pt.xs32, t)
  if (!holds(equation)) throw new Error(`${pt.label}: ${explain(equation)}`)
}

const property = (p: Primitive, law: (pt: Point32) => void): void => {
  fc.assert(fc.property(fc.gen(), (g) => law(pointOf(p, g))))
}

/** The runners of this suite. */
export const float32Runners: {
  readonly 'float32-agreement': Runner
  readonly 'float32-fd': Runner
} = {
  'float32-agreement': (p) =>
    property(p, (pt) => {
      valueLaw(pt)
      if (!p.zeroDerivative) derivativeLaw(pt)
    }),
  'float32-fd': (p) => property(p, fdLaw),
}
