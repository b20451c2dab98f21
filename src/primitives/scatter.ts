/**
 * Scatters other than addition, along one axis (the layout of ./gather.ts): the primitive
 * `scatterMax`, and `scatterSet` and `scatterMul` composed from `take`, `scatterAdd`,
 * `scatterMax` and `argsort`, so their derivatives of every order come from those rules.
 *
 * - max: the derivative goes to the entries equal to the result — x's and the updates' at
 *   that index — split evenly among ties, as `max` and `maximum` split theirs; min is
 *   −max(−x, −u) exactly. With `fill` set, x is an identity fill (`segmentMax`'s −∞), not
 *   data: it gets the derivative only where no update equals the result.
 * - set: where several updates hit one index the last one wins (the stable order of the
 *   updates); x's cotangent is zero at updated indices, and each winning update gets its
 *   index's cotangent (a losing one gets zero), JAX's rule.
 * - mul: x times the product of the updates at its index, formed by a segmented scan over the
 *   updates sorted by index (log₂ k rounds of products): the product rule at every order, exact
 *   at zeros too, with duplicate indices allowed (JAX's rule needs unique indices).
 *
 * Laws: fd-agreement, vjp-jvp-adjoint (scatterMax, in x and the updates; indices fixed).
 * @module
 */
import { bindN } from '../core/bind.ts'
import { define, type Primitive } from '../core/primitive.ts'
import { shapeOf, type Val } from '../core/tracer.ts'
import { tensor } from '../tensor/create.ts'
import { scatterMaxK } from '../tensor/kernels/gather.ts'
import { sizeOf } from '../tensor/shape.ts'
import { Tensor } from '../tensor/tensor.ts'
import { div, mul } from './arithmetic.ts'
import { equal, where } from './comparison.ts'
import { anyReal, drawSeparated } from './domain.ts'
import { asTensor, broadcastToV, reshapeV, safeMulV, withBatch } from './families.ts'
import {
  drawIndexCall,
  drawIndices,
  type IndexParams,
  indicesOf,
  scatterAddV,
  scatterShape,
  takeV,
} from './gather.ts'
import { argsortV } from './sort.ts'
import { pad, slice } from './structural.ts'

/** Params of `scatterMax`: the layout, and whether x is an identity fill rather than data. */
export interface ScatterMaxParams extends IndexParams {
  /**
   * Whether x only fills the indices no update reaches (`segmentMax`'s −∞): x then never
   * shares the derivative with an update equal to it, so data of −∞ keeps its whole share.
   */
  readonly fill?: boolean
}

/** The params of the gathers and scatter-adds in scatterMax's rules: the fill flag dropped. */
const layoutOf = ({ fill: _, ...layout }: ScatterMaxParams): IndexParams => layout

/** `scatterMax` applied through `bind`. */
export const scatterMaxV = (x: Val, idx: Val, updates: Val, params: ScatterMaxParams): Val =>
  bindN(scatterMaxP, [x, idx, updates], params)

/**
 * How `scatterMax`'s derivative splits: weights of x and of the updates, 1/count on the
 * entries equal to the result at their index (count of them, x's included unless it is a
 * fill that an update ties), else 0. Constants: built from comparisons, so they carry no
 * derivative themselves.
 */
const maxWeights = (x: Val, idx: Val, u: Val, y: Val, params: ScatterMaxParams): [Val, Val] => {
  const layout = layoutOf(params)
  const uWins = equal(u, takeV(y, idx, layout))
  const xWins =
    params.fill === true
      ? where(
          equal(scatterAddV(broadcastToV(0, shapeOf(x)), idx, uWins, layout), 0),
          equal(x, y),
          0,
        )
      : equal(x, y)
  const count = scatterAddV(xWins, idx, uWins, layout)
  return [div(xWins, count), div(uWins, takeV(count, idx, layout))]
}

/** Primitive record of `scatterMax`: x with each entry the max of itself and its updates. */
export const scatterMaxP: Primitive<ScatterMaxParams> = define<ScatterMaxParams>({
  name: 'scatterMax',
  arity: 3,
  zeroDerivative: false,
  impl: ([x, idx, updates], params) => {
    const t = asTensor(x!)
    const i = asTensor(idx!)
    const u = asTensor(updates!)
    const norm = indicesOf('scatterMax', i, t, params)
    return new Tensor(scatterMaxK(t.data, t.shape, norm, i.shape, u.data, params), t.shape)
  },
  shape: scatterShape('scatterMax'),
  jvp: ([x, idx, u], [xDot, , uDot], y, params) => {
    if (xDot == null && uDot == null) return null
    const [wx, wu] = maxWeights(x!, idx!, u!, y, params)
    const xPart = xDot == null ? broadcastToV(0, shapeOf(x!)) : safeMulV(xDot, wx)
    return uDot == null ? xPart : scatterAddV(xPart, idx!, safeMulV(uDot, wu), layoutOf(params))
  },
  vjp: (yBar, [x, idx, u], y, params, needs) => {
    const [wx, wu] = maxWeights(x!, idx!, u!, y, params)
    return [
      needs[0] ? safeMulV(yBar, wx) : null,
      null,
      needs[2] ? safeMulV(takeV(yBar, idx!, layoutOf(params)), wu) : null,
    ]
  },
  batch: ([x, idx, updates], [bx = false, bi = false, bu = false], params, size) => {
    const { axis, batchDims } = params
    const xb = withBatch(x!, bx, size)
    const ub = withBatch(updates!, bu, size)
    if (!bi && batchDims === 0) return scatterMaxV(xb, idx!, ub, { ...params, axis: axis + 1 })
    const shared = { ...params, axis: axis + 1, batchDims: batchDims + 1 }
    return scatterMaxV(xb, withBatch(idx!, bi, size), ub, shared)
  },
  // the winners are chosen at t = 0; each order is then the weighted scatter of its coefficients
  taylor: ([x, idx, u], params) => {
    const y0 = scatterMaxV(x![0]!, idx![0]!, u![0]!, params)
    const [wx, wu] = maxWeights(x![0]!, idx![0]!, u![0]!, y0, params)
    const layout = layoutOf(params)
    return x!.map((xk, k) =>
      k === 0 ? y0 : scatterAddV(safeMulV(xk, wx), idx![0]!, safeMulV(u![k]!, wu), layout),
    )
  },
  domain: {
    sample: (draw) => {
      const { x, idx, updates, params } = drawIndexCall(draw)
      // every value apart from every other: a tie is a kink
      const [xv, uv] = drawSeparated(draw, [x, updates], anyReal)
      return {
        args: [xv!, drawIndices(draw, idx, x[params.axis]!, params.wrap), uv!],
        params,
      }
    },
    // ties of x with an update and of two updates (±0 too), ∞ and NaN among them
    special: () => [
      {
        args: [
          tensor([1, 0, -Infinity, 2, Number.NaN]),
          tensor([0, 0, 1, 2, -2, 4, 2]),
          tensor([1, 1, -0, Infinity, 2, 3, -Infinity]),
        ],
        params: { axis: 0, batchDims: 0, wrap: true },
      },
      {
        args: [
          tensor([
            [0, 5],
            [-1, 2],
          ]),
          tensor([
            [1, 1, 0],
            [0, 1, 0],
          ]),
          tensor([
            [5, 5, -0],
            [-1, 3, -2],
          ]),
        ],
        params: { axis: 1, batchDims: 1, wrap: false },
      },
      // a −∞ fill with updates of −∞ (they take the whole derivative) and an index none reaches
      {
        args: [
          tensor([-Infinity, -Infinity, -Infinity, -Infinity]),
          tensor([0, 0, 1, 3, 3]),
          tensor([-Infinity, -Infinity, 2, -Infinity, 1]),
        ],
        params: { axis: 0, batchDims: 0, wrap: false, fill: true },
      },
    ],
    fixed: [1],
  },
})

// ---- set and mul, composed --------------------------------------------------------------------

/**
 * `v`, whose axes are the shared batch axes and then index axes, reshaped with size-1 axes to
 * broadcast against the updates (or x) of a call on an x of rank `rank` along `axis`: those
 * are laid out [batch…, between…, index axes…, after…], with rank − axis − 1 axes after.
 */
const lineUp = (v: Val, rank: number, axis: number, batchDims: number): Val => {
  const s = shapeOf(v)
  const inner = s.slice(batchDims)
  const ones = (n: number) => new Array<number>(Math.max(n, 0)).fill(1)
  return reshapeV(v, [
    ...s.slice(0, batchDims),
    ...ones(axis - batchDims),
    ...inner,
    ...ones(rank - axis - 1),
  ])
}

/** The positions 0 … k − 1 of the index entries after the batch axes, shaped like `idx`. */
const positions = (idx: Val, batchDims: number): Val => {
  const s = shapeOf(idx)
  const inner = s.slice(batchDims)
  const at = reshapeV(tensor(Float64Array.from({ length: sizeOf(inner) }, (_, i) => i)), inner)
  return broadcastToV(at, s)
}

/** The per-index layout: an operand [B…, n] indexed along its last axis by `idx`. */
const perIndex = ({ batchDims, wrap, op }: IndexParams): IndexParams => ({
  axis: batchDims,
  batchDims,
  wrap,
  op,
})

/**
 * x with the updates written at their indices; where several hit one index, the last (in the
 * order of the index tensor) wins. Composed: the winner of each index is the largest position
 * written there (a `scatterMax` of positions), and the written values are added onto −0, which
 * leaves each one exactly as it is (−0 too).
 */
export const scatterSetV = (x: Val, idx: Val, u: Val, params: IndexParams): Val => {
  const { axis, batchDims } = params
  const xs = shapeOf(x)
  const per = perIndex(params)
  const at = positions(idx, batchDims)
  const last = scatterMaxV(broadcastToV(-1, [...xs.slice(0, batchDims), xs[axis]!]), idx, at, per)
  const wins = equal(takeV(last, idx, per), at)
  const rank = xs.length
  const written = where(lineUp(wins, rank, axis, batchDims), u, -0)
  const value = scatterAddV(broadcastToV(-0, xs), idx, written, params)
  // `last` counts back from the axis, so an untouched index still holds −1
  return where(lineUp(equal(last, -1), rank, axis, batchDims), x, value)
}

/** `v` shifted by `s` along `axis`: the first `s` entries are `fill`, the last `s` drop off. */
const shift = (v: Val, axis: number, s: number, fill: number): Val => {
  const sh = shapeOf(v)
  const kept = slice(
    v,
    sh.map(() => 0),
    sh.map((d, i) => (i === axis ? d - s : d)),
  )
  return pad(
    kept,
    sh.map((_, i) => (i === axis ? ([s, 0] as const) : ([0, 0] as const))),
    fill,
  )
}

/**
 * x times the product of the updates at its index. The updates are sorted by index (stably),
 * a segmented inclusive scan multiplies each by those before it with the same index (Hillis and
 * Steele: rounds of shift and multiply), and each index's last scanned value — the whole
 * product — is written back. Every step is a primitive with its own rules, so every order of
 * derivative is the product rule, with no division (exact where updates are 0).
 */
export const scatterMulV = (x: Val, idx: Val, u: Val, params: IndexParams): Val => {
  const { axis, batchDims } = params
  const xs = shapeOf(x)
  const is = shapeOf(idx)
  const us = shapeOf(u)
  const inner = is.slice(batchDims)
  const k = sizeOf(inner)
  const rank = xs.length
  const n = xs[axis]!
  // flat indices, made non-negative (and validated) by reading them out of 0 … n − 1 laid
  // along `axis`, so an error names the axis the user indexed
  const lead = is.slice(0, batchDims)
  const range = tensor(
    Float64Array.from({ length: n }, (_, i) => i),
    [...new Array<number>(axis).fill(1), n],
  )
  const read = takeV(range, reshapeV(idx, [...lead, k]), {
    axis,
    batchDims: 0,
    wrap: params.wrap,
    op: params.op,
  })
  const flat = reshapeV(read, [...lead, k])
  const order = argsortV(flat)
  const sortedIdx = takeV(flat, order, perIndex(params))
  const flatU = reshapeV(u, [...us.slice(0, axis), k, ...us.slice(axis + inner.length)])
  let scan = takeV(flatU, order, { axis, batchDims, wrap: false })
  for (let s = 1; s < k; s *= 2) {
    const same = equal(sortedIdx, shift(sortedIdx, batchDims, s, -1))
    scan = where(lineUp(same, rank, axis, batchDims), mul(scan, shift(scan, axis, s, 1)), scan)
  }
  // the last of each run of equal indices holds that index's whole product, and wins the set
  const product = scatterSetV(broadcastToV(1, xs), sortedIdx, scan, { ...params, wrap: false })
  return mul(x, product)
}
