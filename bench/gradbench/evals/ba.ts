/**
 * GradBench `ba`: ADBench's bundle adjustment. Each observation's reprojection error depends on
 * its camera (11), its point (3) and its weight (1): the Jacobian is sparse with one 2×15 block
 * per observation, computed as `vmap(jacrev(error))` over the gathered per-observation
 * parameters (reverse mode: 2 outputs, 15 inputs), and the weight errors' derivatives as
 * `vmap(grad(1 − w²))`. The blocks are then laid out in the reference's COO order; the output is
 * the first 30 entries and the last, as the reference prints it.
 */
import {
  add,
  concat,
  cos,
  div,
  expandDims,
  grad,
  greater,
  index,
  jacrev,
  mul,
  sin,
  slice,
  sqrt,
  square,
  stack,
  sub,
  sum,
  type Tensor,
  take,
  tensor,
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

const cross = (a: Tensor, b: Tensor): Tensor => {
  const [a0, a1, a2] = [index(a, 0), index(a, 1), index(a, 2)]
  const [b0, b1, b2] = [index(b, 0), index(b, 1), index(b, 2)]
  return stack([
    sub(mul(a1, b2), mul(a2, b1)),
    sub(mul(a2, b0), mul(a0, b2)),
    sub(mul(a0, b1), mul(a1, b0)),
  ])
}

/** Rodrigues' rotation of `pt` by the angle-axis `rot` (first order where the angle is 0). */
const rotate = (rot: Tensor, pt: Tensor): Tensor => {
  const sqTheta = sum(square(rot))
  const nonzero = greater(sqTheta, 0)
  // the angle's branch is evaluated everywhere, so its square root must stay finite at 0
  const theta = sqrt(where(nonzero, sqTheta, 1))
  const c = cos(theta)
  const axis = div(rot, theta)
  const turned = add(
    add(mul(pt, c), mul(cross(axis, pt), sin(theta))),
    mul(axis, mul(sum(mul(axis, pt)), sub(1, c))),
  )
  return where(nonzero, turned, add(pt, cross(rot, pt)))
}

/**
 * One observation's reprojection error w·(proj − feat), from its 15 parameters
 * [camera: r(3) C(3) f u0 v0 k1 k2, point(3), weight].
 */
export const reprojectionError = (v: Tensor, feat: Tensor): Tensor => {
  const xCam = rotate(slice(v, [0], [3]), sub(slice(v, [11], [14]), slice(v, [3], [6])))
  const proj = div(slice(xCam, [0], [2]), index(xCam, 2))
  const rsq = sum(square(proj))
  const distortion = add(add(1, mul(index(v, 9), rsq)), mul(index(v, 10), square(rsq)))
  const pixel = add(mul(mul(proj, distortion), index(v, 6)), slice(v, [7], [9]))
  return mul(index(v, 14), sub(pixel, feat))
}

const weightError = (w: Tensor): Tensor => sub(1, square(w))

/** Each observation's 2×15 Jacobian block, and each weight error's derivative. */
export const jacobianBlocks = (
  cams: Tensor,
  points: Tensor,
  weights: Tensor,
  camIdx: Tensor,
  ptIdx: Tensor,
  feats: Tensor,
): [Tensor, Tensor] => {
  const local = concat([take(cams, camIdx, 0), take(points, ptIdx, 0), expandDims(weights, 1)], 1)
  const blocks = vmap(jacrev(reprojectionError))(local, feats) // [p, 2, 15]
  return [blocks, vmap(grad(weightError))(weights)]
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
  const local = concat([take(cams, camIdx, 0), take(points, ptIdx, 0), expandDims(weights, 1)], 1)
  return [vmap(reprojectionError)(local, feats), weightError(weights)]
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
  blocks: Tensor,
  wDot: Tensor,
  { n, m, p }: Input,
  camIdx: Int32Array,
  ptIdx: Int32Array,
) => {
  const rows = new Int32Array(3 * p + 1)
  const cols = new Int32Array(31 * p)
  const vals = new Float64Array(31 * p)
  vals.set(blocks.data)
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
