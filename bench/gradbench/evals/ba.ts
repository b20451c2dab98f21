/**
 * GradBench `ba`: ADBench's bundle adjustment. Each observation's reprojection error depends on
 * its camera (11), its point (3) and its weight (1): the Jacobian is sparse with one 2×15 block
 * per observation. The model is written on columns, as a JAX user writes it for `vmap`: each of
 * the 15 parameters is a [p] vector over the observations (gathered once from the transposed
 * camera and point matrices), and one observation's error is a function of 15 numbers, so every
 * operation of the objective, and of its derivatives under `vmap`, is one elementwise pass over
 * p values. The blocks' two rows are the pullbacks of the unit cotangents through one `vjp`
 * (one forward pass, two backward passes over [p] vectors), under `vmap`; `vmap(jacrev(…))`
 * now does the same (an output of ≤ 4 elements is pulled back row by row) within 1.05–1.08×
 * of it (bench/NOTES.md §31). The weight errors' derivatives are `vmap(grad(1 − w²))`. The
 * blocks' columns are then laid out in the reference's COO order; the output is the first 30
 * entries and the last, as the reference prints it.
 */
import {
  add,
  cos,
  div,
  grad,
  greater,
  index,
  mul,
  sin,
  sqrt,
  square,
  stack,
  sub,
  type Tensor,
  take,
  tensor,
  transpose,
  vjp,
  vmap,
  where,
} from 'fluxion'
import { maybeJit, multipleRuns, type Runs } from '../runs.ts'

interface Input extends Runs {
  readonly n: number
  readonly m: number
  readonly p: number
  readonly cam: number[]
  readonly x: number[]
  readonly w: number
  readonly feat: number[]
}

/** A 3-vector as its three coordinates. */
type Vec3 = readonly [Tensor, Tensor, Tensor]

const cross = ([a0, a1, a2]: Vec3, [b0, b1, b2]: Vec3): Vec3 => [
  sub(mul(a1, b2), mul(a2, b1)),
  sub(mul(a2, b0), mul(a0, b2)),
  sub(mul(a0, b1), mul(a1, b0)),
]

const dot = (a: Vec3, b: Vec3): Tensor =>
  add(add(mul(a[0], b[0]), mul(a[1], b[1])), mul(a[2], b[2]))

/** Rodrigues' rotation of `pt` by the angle-axis `rot` (first order where the angle is 0). */
const rotate = (rot: Vec3, pt: Vec3): Vec3 => {
  const sqTheta = dot(rot, rot)
  const nonzero = greater(sqTheta, 0)
  // the angle's branch is evaluated everywhere, so its square root must stay finite at 0
  const theta = sqrt(where(nonzero, sqTheta, 1))
  const c = cos(theta)
  const s = sin(theta)
  const axis: Vec3 = [div(rot[0], theta), div(rot[1], theta), div(rot[2], theta)]
  const turned = cross(axis, pt)
  const along = mul(dot(axis, pt), sub(1, c))
  const small = cross(rot, pt)
  const at = (i: 0 | 1 | 2): Tensor =>
    where(
      nonzero,
      add(add(mul(pt[i], c), mul(turned[i], s)), mul(axis[i], along)),
      add(pt[i], small[i]),
    )
  return [at(0), at(1), at(2)]
}

/**
 * One observation's reprojection error w·(proj − feat), from its 15 parameters
 * [camera: r(3) C(3) f u0 v0 k1 k2, point(3), weight] and its feature (fx, fy).
 */
export const reprojectionError = (
  v: readonly Tensor[],
  fx: Tensor,
  fy: Tensor,
): [Tensor, Tensor] => {
  const p = (i: number): Tensor => v[i]!
  const xCam = rotate([p(0), p(1), p(2)], [sub(p(11), p(3)), sub(p(12), p(4)), sub(p(13), p(5))])
  const px = div(xCam[0], xCam[2])
  const py = div(xCam[1], xCam[2])
  const rsq = add(square(px), square(py))
  const distortion = add(add(1, mul(p(9), rsq)), mul(p(10), square(rsq)))
  return [
    mul(p(14), sub(add(mul(mul(px, distortion), p(6)), p(7)), fx)),
    mul(p(14), sub(add(mul(mul(py, distortion), p(6)), p(8)), fy)),
  ]
}

const weightError = (w: Tensor): Tensor => sub(1, square(w))

/** The 15 parameter columns ([p] each) of the observations, and the features' two columns. */
const columns = (
  cams: Tensor,
  points: Tensor,
  weights: Tensor,
  camIdx: Tensor,
  ptIdx: Tensor,
  feats: Tensor,
): [Tensor[], Tensor, Tensor] => {
  const c = take(transpose(cams), camIdx, 1) // [11, p]
  const x = take(transpose(points), ptIdx, 1) // [3, p]
  const f = transpose(feats)
  const v = [...Array.from({ length: 11 }, (_, j) => index(c, j)), index(x, 0), index(x, 1)]
  return [[...v, index(x, 2), weights], index(f, 0), index(f, 1)]
}

/** One observation's 2×15 block: the pullbacks of (1, 0) and (0, 1). */
const block = (v: readonly Tensor[], fx: Tensor, fy: Tensor): [Tensor[], Tensor[]] => {
  const [, pullback] = vjp((u: readonly Tensor[]) => reprojectionError(u, fx, fy), v)
  return [pullback([1, 0])[0] as Tensor[], pullback([0, 1])[0] as Tensor[]]
}

/**
 * Each observation's 2×15 Jacobian block, as its 30 columns ([p] each: the first row's 15
 * entries, then the second's), and each weight error's derivative. The assembly lays the
 * columns out in the COO order directly (a `stack` to [p, 2, 15] first was one more pass over
 * the 30·p values, and a slow one: a transpose).
 */
export const jacobianBlocks = (
  cams: Tensor,
  points: Tensor,
  weights: Tensor,
  camIdx: Tensor,
  ptIdx: Tensor,
  feats: Tensor,
): [Tensor[], Tensor] => {
  const [v, fx, fy] = columns(cams, points, weights, camIdx, ptIdx, feats)
  const [rowX, rowY] = vmap(block)(v, fx, fy)
  return [[...rowX, ...rowY], vmap(grad(weightError))(weights)]
}

/** The objective: every reprojection error ([p, 2]) and weight error ([p]). */
export const objective = (
  cams: Tensor,
  points: Tensor,
  weights: Tensor,
  camIdx: Tensor,
  ptIdx: Tensor,
  feats: Tensor,
): [Tensor, Tensor] => {
  const [v, fx, fy] = columns(cams, points, weights, camIdx, ptIdx, feats)
  return [stack(reprojectionError(v, fx, fy), 1), weightError(weights)]
}

/** The input replicated as the reference does (n cameras, m points, p observations). */
const expand = ({ n, m, p, cam, x, w, feat }: Input) => {
  const fill = (row: readonly number[], count: number): Tensor => {
    const data = new Float64Array(row.length * count)
    for (let i = 0; i < count; i++) data.set(row, i * row.length)
    return tensor(data, [count, row.length])
  }
  const camIdx = new Int32Array(p)
  const ptIdx = new Int32Array(p)
  for (let i = 0; i < p; i++) {
    camIdx[i] = i % n
    ptIdx[i] = i % m
  }
  return {
    cams: fill(cam, n),
    points: fill(x, m),
    weights: tensor(new Float64Array(p).fill(w)),
    camIdx,
    ptIdx,
    camIdxT: tensor(Float64Array.from(camIdx)),
    ptIdxT: tensor(Float64Array.from(ptIdx)),
    feats: fill(feat, p),
  }
}

/** The sparse Jacobian in the reference's COO layout: rows (CSR offsets), cols, vals. */
const assemble = (
  blocks: readonly Tensor[],
  wDot: Tensor,
  { n, m, p }: Input,
  camIdx: Int32Array,
  ptIdx: Int32Array,
) => {
  const rows = new Int32Array(3 * p + 1)
  const cols = new Int32Array(31 * p)
  const vals = new Float64Array(31 * p)
  // the 30 columns interleaved, by blocks of observations (the output's block stays in cache)
  for (let o0 = 0; o0 < p; o0 += 512) {
    const o1 = Math.min(p, o0 + 512)
    for (let k = 0; k < 30; k++) {
      const d = blocks[k]!.data
      for (let o = o0, e = 30 * o0 + k; o < o1; o++, e += 30) vals[e] = d[o]!
    }
  }
  vals.set(wDot.data, 30 * p)
  for (let i = 0; i < 2 * p; i++) rows[i + 1] = rows[i]! + 15
  for (let i = 2 * p; i < 3 * p; i++) rows[i + 1] = rows[i]! + 1
  for (let o = 0, e = 0; o < p; o++) {
    for (let r = 0; r < 2; r++) {
      for (let j = 0; j < 11; j++) cols[e++] = 11 * camIdx[o]! + j
      for (let j = 0; j < 3; j++) cols[e++] = 11 * n + 3 * ptIdx[o]! + j
      cols[e++] = 11 * n + 3 * m + o
    }
  }
  for (let o = 0; o < p; o++) cols[30 * p + o] = 11 * n + 3 * m + o
  return { rows, cols, vals }
}

const truncated = (a: Int32Array | Float64Array): number[] => [
  ...Array.from(a.subarray(0, 30)),
  a[a.length - 1]!,
]

export const module = {
  objective: multipleRuns((input: Input) => {
    const e = expand(input)
    const f = maybeJit(objective)
    return {
      run: () => f(e.cams, e.points, e.weights, e.camIdxT, e.ptIdxT, e.feats),
      toJson: ([reproj, wErr]: [Tensor, Tensor]) => ({
        reproj_error: { elements: [reproj.data[0], reproj.data[1]], repeated: input.p },
        w_err: { element: wErr.data[0], repeated: input.p },
      }),
    }
  }),
  jacobian: multipleRuns((input: Input) => {
    const e = expand(input)
    const f = maybeJit(jacobianBlocks)
    return {
      run: () => {
        const [blocks, wDot] = f(e.cams, e.points, e.weights, e.camIdxT, e.ptIdxT, e.feats)
        return assemble(blocks, wDot, input, e.camIdx, e.ptIdx)
      },
      toJson: ({ rows, cols, vals }: ReturnType<typeof assemble>) => ({
        rows: truncated(rows),
        cols: truncated(cols),
        vals: truncated(vals),
      }),
    }
  }),
}
