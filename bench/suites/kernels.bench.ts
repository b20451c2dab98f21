/**
 * Kernel micro-benchmarks (issue: performance): each fluxion kernel beside the loop one would
 * write by hand, the floor. The plain loops write a fresh `Float64Array` per call, as fluxion's
 * kernels do, so the ratio column (fluxion / plain) is the cost of dispatch, shape handling and
 * the kernel's own loop; the per-unit column gives ns per element (or GFLOP/s for products: the
 * harness prints 1 / (ns per flop), which is a GFLOP/s).
 *
 * - elementwise `add mul exp tanh` on 10³ and 10⁵ float64 elements (10⁶ in the full run);
 * - reductions over a 1000×1000 matrix: `sum` of all, `sum` over axis 0 and 1, `max` and
 *   `logSumExp` over axis 1;
 * - broadcasting: [1000, 1000] + [1000] (a row), + [1000, 1] (a column), and number + [10⁶];
 * - matrix products (`../matmul.ts`) and reverse-mode overhead (`../overhead.ts`).
 *
 * One group per kernel and size, so each ratio compares a kernel with its own floor. Inputs are
 * built lazily, on the first validation: the parent process and the children of other groups
 * build every group of the suite (for its title) and would otherwise allocate them all.
 */
import { add, exp, logSumExp, max, mul, sum, type Tensor, tanh, tensor } from 'fluxion'
import type { Group } from '../harness.ts'
import { lazy, wave } from '../kernels.ts'
import { matmulGroups } from '../matmul.ts'
import { overheadGroups } from '../overhead.ts'
import { near } from '../rosenbrock.ts'
import { stackGroup } from '../stack.ts'

type Unary = (x: Float64Array) => Float64Array
type Binary = (a: Float64Array, b: Float64Array) => Float64Array

/** The floors: one pass, writing a fresh array. */
const addPlain: Binary = (a, b) => {
  const out = new Float64Array(a.length)
  for (let i = 0; i < a.length; i++) out[i] = a[i]! + b[i]!
  return out
}
const mulPlain: Binary = (a, b) => {
  const out = new Float64Array(a.length)
  for (let i = 0; i < a.length; i++) out[i] = a[i]! * b[i]!
  return out
}
const expPlain: Unary = (x) => {
  const out = new Float64Array(x.length)
  for (let i = 0; i < x.length; i++) out[i] = Math.exp(x[i]!)
  return out
}
const tanhPlain: Unary = (x) => {
  const out = new Float64Array(x.length)
  for (let i = 0; i < x.length; i++) out[i] = Math.tanh(x[i]!)
  return out
}

/** A fluxion task checked against its floor at 1e-12 (the kernels call the same Math functions). */
const pair = (
  label: string,
  plain: () => Float64Array,
  flux: () => Tensor,
  units: number,
  unitName = 'element',
): Group['tasks'] => [
  { name: 'plain JS loop', fn: plain, validate: () => {}, units, unitName },
  {
    name: `fluxion ${label}`,
    fn: flux,
    validate: () => near(flux().data, plain(), 1e-12),
    units,
    unitName,
  },
]

const elementwiseGroups = (quick: boolean): Group[] => {
  const sizes = quick ? [1e3, 1e5] : [1e3, 1e5, 1e6]
  return sizes.flatMap((n) => {
    // values in [−1.5, 1.5]: exp and tanh stay in their interesting range
    const inputs = lazy(() => {
      const a = wave(n, 1.5, 0.37)
      const b = wave(n, 1.5, 1.91)
      return { a, b, at: tensor(a), bt: tensor(b) }
    })
    const size = `n=${n.toExponential(0).replace('e+', 'e')}`
    const ops: [string, () => Float64Array, () => Tensor][] = [
      ['add', () => addPlain(inputs().a, inputs().b), () => add(inputs().at, inputs().bt)],
      ['mul', () => mulPlain(inputs().a, inputs().b), () => mul(inputs().at, inputs().bt)],
      ['exp', () => expPlain(inputs().a), () => exp(inputs().at)],
      ['tanh', () => tanhPlain(inputs().a), () => tanh(inputs().at)],
    ]
    return ops.map(([op, plain, flux]) => ({
      title: `kernels elementwise ${op}, ${size} (ns/element)`,
      baseline: 'plain JS loop',
      tasks: pair(op, plain, flux, n),
    }))
  })
}

const side = 1000

/** The 1000×1000 matrix shared by the reduction and broadcasting groups, with a row and column. */
const matrix = lazy(() => {
  const a = wave(side * side, 2, 0.11)
  const r = wave(side, 1, 0.53)
  const c = wave(side, 1, 2.17)
  return {
    a,
    r,
    c,
    at: tensor(a, [side, side]),
    rt: tensor(r, [side]),
    ct: tensor(c, [side, 1]),
    flat: tensor(a),
  }
})

const sumAllPlain = (a: Float64Array): Float64Array => {
  let acc = 0
  for (let i = 0; i < a.length; i++) acc += a[i]!
  return Float64Array.of(acc)
}
// axis 0: rows outermost, so the inner loop reads memory in order
const sumAxis0Plain = (a: Float64Array): Float64Array => {
  const out = new Float64Array(side)
  for (let i = 0; i < side; i++) for (let j = 0; j < side; j++) out[j]! += a[i * side + j]!
  return out
}
const sumAxis1Plain = (a: Float64Array): Float64Array => {
  const out = new Float64Array(side)
  for (let i = 0; i < side; i++) {
    let acc = 0
    for (let j = 0; j < side; j++) acc += a[i * side + j]!
    out[i] = acc
  }
  return out
}
const maxAxis1Plain = (a: Float64Array): Float64Array => {
  const out = new Float64Array(side)
  for (let i = 0; i < side; i++) {
    let acc = -Infinity
    // Math.max, not a comparison: a NaN propagates, as it does in fluxion's max
    for (let j = 0; j < side; j++) acc = Math.max(acc, a[i * side + j]!)
    out[i] = acc
  }
  return out
}
// shifted by the row maximum, as fluxion's logSumExp is (and as any stable version must be)
const logSumExpAxis1Plain = (a: Float64Array): Float64Array => {
  const top = maxAxis1Plain(a)
  const out = new Float64Array(side)
  for (let i = 0; i < side; i++) {
    const m = top[i]!
    let s = 0
    for (let j = 0; j < side; j++) s += Math.exp(a[i * side + j]! - m)
    out[i] = m + Math.log(s)
  }
  return out
}

const reductionGroups = (): Group[] => {
  const cases: [string, (a: Float64Array) => Float64Array, (x: Tensor) => Tensor][] = [
    ['sum (all axes)', sumAllPlain, (x) => sum(x)],
    ['sum axis 0', sumAxis0Plain, (x) => sum(x, 0)],
    ['sum axis 1', sumAxis1Plain, (x) => sum(x, 1)],
    ['max axis 1', maxAxis1Plain, (x) => max(x, 1)],
    ['logSumExp axis 1', logSumExpAxis1Plain, (x) => logSumExp(x, 1)],
  ]
  return cases.map(([label, plain, flux]) => ({
    title: `kernels reduction ${label}, ${side}×${side} (ns/element)`,
    baseline: 'plain JS loop',
    // summation order may differ from the plain loop's: agreement to rounding, not bits
    tasks: pair(
      label,
      () => plain(matrix().a),
      () => flux(matrix().at),
      side * side,
    ),
  }))
}

const addRowPlain = (a: Float64Array, r: Float64Array): Float64Array => {
  const out = new Float64Array(a.length)
  for (let i = 0; i < side; i++) {
    for (let j = 0; j < side; j++) out[i * side + j] = a[i * side + j]! + r[j]!
  }
  return out
}
const addColumnPlain = (a: Float64Array, c: Float64Array): Float64Array => {
  const out = new Float64Array(a.length)
  for (let i = 0; i < side; i++) {
    const ci = c[i]!
    for (let j = 0; j < side; j++) out[i * side + j] = a[i * side + j]! + ci
  }
  return out
}
const addNumberPlain = (s: number, a: Float64Array): Float64Array => {
  const out = new Float64Array(a.length)
  for (let i = 0; i < a.length; i++) out[i] = s + a[i]!
  return out
}

const broadcastGroups = (): Group[] => {
  const m = () => matrix()
  const units = side * side
  return [
    {
      title: `kernels broadcast [${side}, ${side}] + [${side}] (row; ns/element)`,
      baseline: 'plain JS loop',
      tasks: pair(
        'add',
        () => addRowPlain(m().a, m().r),
        () => add(m().at, m().rt),
        units,
      ),
    },
    {
      title: `kernels broadcast [${side}, ${side}] + [${side}, 1] (column; ns/element)`,
      baseline: 'plain JS loop',
      tasks: pair(
        'add',
        () => addColumnPlain(m().a, m().c),
        () => add(m().at, m().ct),
        units,
      ),
    },
    {
      title: `kernels broadcast number + [${units}] (ns/element)`,
      baseline: 'plain JS loop',
      tasks: pair(
        'add',
        () => addNumberPlain(0.25, m().a),
        () => add(0.25, m().flat),
        units,
      ),
    },
  ]
}

/**
 * The kernels suite: elementwise, reductions, broadcasting, products, stack/concat by axis,
 * reverse-mode overhead.
 */
export const kernelGroups = (quick: boolean): Group[] => [
  ...elementwiseGroups(quick),
  ...reductionGroups(),
  ...broadcastGroups(),
  ...matmulGroups(quick),
  stackGroup(),
  ...overheadGroups(quick),
]
