/**
 * GradBench `ht`: ADBench's hand tracking. θ (26) poses a skinned hand model: per-bone Euler
 * rotations compose down the bone tree, each vertex is moved by the weighted blend of its bones'
 * transforms, then a global rotation and translation are applied; residuals are data points
 * minus model points (vertices, or in the "complicated" variant a barycentric point of a
 * triangle with per-point coordinates u). The Jacobian is `jacfwd` (28 or 26 inputs against
 * 3·#points outputs): in the complicated variant the inputs are θ and one shared shift of every
 * point's u — each residual depends on its own u only, so those two columns are exactly the
 * derivatives in its own u (the reference's layout); θ's and the shift's columns are two `jacfwd`s.
 */
import {
  add,
  concat,
  cos,
  div,
  expandDims,
  eye,
  index,
  jacfwd,
  less,
  matmul,
  mul,
  ones,
  pad,
  reshape,
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
  transpose,
  where,
  zeros,
} from 'fluxion'
import { maybeJit, multipleRuns, type Runs } from '../runs.ts'
import { toList } from './common.ts'

interface Model {
  readonly bone_names: string[]
  readonly parents: number[]
  readonly base_relatives: number[][][]
  readonly inverse_base_absolutes: number[][][]
  readonly base_positions: number[][]
  readonly weights: number[][]
  readonly triangles: number[][]
  readonly is_mirrored: boolean
}

interface Input extends Runs {
  readonly theta: number[]
  readonly data: {
    readonly model: Model
    readonly correspondences: number[]
    readonly points: number[][]
  }
  readonly us: number[][]
}

/** The data of one instance as tensors, and the index tables (structure, not values). */
export interface Hand {
  readonly parents: readonly number[]
  readonly baseRelatives: Tensor // [bones, 4, 4]
  readonly inverseBaseAbsolutes: Tensor // [bones, 4, 4]
  readonly basePositions: Tensor // [verts, 4], homogeneous
  readonly weights: Tensor // [verts, bones]
  readonly mirrored: boolean
  readonly points: Tensor // [points, 3]
  /** Which entry of [0, θ…] each pose parameter is: [3, bones] (Euler angles per bone). */
  readonly poseIndex: Tensor
  /** Model vertex of each point (simple), or the 3 vertices of its triangle (complicated). */
  readonly vertexIndex: Tensor
  /**
   * Whether the points' vertices (with repeats) are fewer than the model's: then only they are
   * skinned (their rows of weights and base positions gathered first), not every vertex.
   */
  readonly skinPointsOnly: boolean
}

export const prepareHand = (input: Input): Hand => {
  const m = input.data.model
  const bones = m.bone_names.length
  // θ: global rotation (3), translation (3), then per finger 4 angles on 3 bones; the other
  // bones' angles are 0 (index 0 of [0, θ…])
  const pose = new Float64Array(3 * bones)
  let t = 6
  for (let finger = 0, bone = 2; finger < 5; finger++, bone++) {
    for (let j = 0; j < 3; j++, bone++) {
      pose[bone] = 1 + t++
      if (j === 0) pose[bones + bone] = 1 + t++
    }
  }
  const complicated = input.us.length > 0
  const corr = input.data.correspondences
  const vertexIndex = complicated
    ? tensor(corr.map((c) => m.triangles[c]!))
    : tensor(Float64Array.from(corr))
  return {
    parents: m.parents,
    baseRelatives: tensor(m.base_relatives),
    inverseBaseAbsolutes: tensor(m.inverse_base_absolutes),
    basePositions: tensor(m.base_positions),
    weights: tensor(m.weights),
    mirrored: m.is_mirrored,
    points: tensor(input.data.points),
    poseIndex: tensor(pose, [3, bones]),
    vertexIndex,
    skinPointsOnly: vertexIndex.size < m.weights.length,
  }
}

/** Rz·Ry·Rx for angles [3, bones] read as (x, z, y), one 3×3 matrix per bone. */
const eulerRotations = (angles: Tensor): Tensor => {
  const [cx, cz, cy] = [0, 1, 2].map((i) => cos(index(angles, i))) as [Tensor, Tensor, Tensor]
  const [sx, sz, sy] = [0, 1, 2].map((i) => sin(index(angles, i))) as [Tensor, Tensor, Tensor]
  const o = zeros(cx.shape)
  const l = ones(cx.shape)
  const matrix = (rows: Tensor[]): Tensor => reshape(stack(rows, 1), [-1, 3, 3])
  const rx = matrix([l, o, o, o, cx, mul(-1, sx), o, sx, cx])
  const ry = matrix([cy, o, sy, o, l, o, mul(-1, sy), o, cy])
  const rz = matrix([cz, mul(-1, sz), o, sz, cz, o, o, o, l])
  return matmul(matmul(rz, ry), rx)
}

/** The rotation of an angle-axis vector (the identity below norm 1e-4, as the reference). */
const angleAxisRotation = (aa: Tensor): Tensor => {
  const n2 = sum(square(aa))
  const small = less(n2, 1e-8)
  const norm = sqrt(where(small, 1, n2))
  const [x, y, z] = [0, 1, 2].map((i) => div(index(aa, i), norm)) as [Tensor, Tensor, Tensor]
  const s = sin(norm)
  const c = cos(norm)
  const k = sub(1, c)
  const r = reshape(
    stack([
      add(mul(x, x), mul(sub(1, mul(x, x)), c)),
      sub(mul(mul(x, y), k), mul(z, s)),
      add(mul(mul(x, z), k), mul(y, s)),
      add(mul(mul(x, y), k), mul(z, s)),
      add(mul(y, y), mul(sub(1, mul(y, y)), c)),
      sub(mul(mul(y, z), k), mul(x, s)),
      sub(mul(mul(x, z), k), mul(y, s)),
      add(mul(mul(z, y), k), mul(x, s)),
      add(mul(z, z), mul(sub(1, mul(z, z)), c)),
    ]),
    [3, 3],
  )
  return where(small, eye(3), r)
}

/**
 * Posed model vertices [verts, 3] for θ; with `at`, only those vertices ([at.size, 3], with
 * repeats): the blend of the bones' transforms is per vertex, so skinning the vertices wanted,
 * rather than all and then gathering them, gives the same numbers for less work when they are
 * fewer.
 */
export const vertices = (hand: Hand, theta: Tensor, at?: Tensor): Tensor => {
  const angles = take(concat([zeros([1]), theta]), hand.poseIndex)
  const rot = eulerRotations(angles)
  const bones = hand.parents.length
  // [R 0; 0 1] per bone
  const posed = add(
    pad(rot, [
      [0, 0],
      [0, 1],
      [0, 1],
    ]),
    pad(ones([bones, 1, 1]), [
      [0, 0],
      [3, 0],
      [3, 0],
    ]),
  )
  const relatives = matmul(hand.baseRelatives, posed)
  const absolutes: Tensor[] = []
  for (let i = 0; i < bones; i++) {
    const rel = index(relatives, i)
    const p = hand.parents[i]!
    absolutes.push(p < 0 ? rel : matmul(absolutes[p]!, rel))
  }
  const transforms = matmul(stack(absolutes), hand.inverseBaseAbsolutes) // [bones, 4, 4]
  // skinning is linear in the transforms: position[v, r] = Σ_b,c w[v, b]·base[v, c]·T_b[r, c],
  // one product of the data's [verts, bones·4] coefficients with the transforms' rows
  // [bones·4, 3] (the tangents of the transforms then go through one product too, with no
  // [tangents, verts, 3, 4] blend in between)
  const rows = reshape(transpose(slice(transforms, [0, 0, 0], [bones, 3, 4]), [0, 2, 1]), [
    bones * 4,
    3,
  ])
  const weights = at === undefined ? hand.weights : take(hand.weights, at, 0)
  const base = at === undefined ? hand.basePositions : take(hand.basePositions, at, 0)
  const coefficients = reshape(mul(expandDims(weights, 2), expandDims(base, 1)), [-1, bones * 4])
  let positions = matmul(coefficients, rows) // [verts, 3]
  if (hand.mirrored) positions = mul(positions, tensor([-1, 1, 1]))
  const global = angleAxisRotation(slice(theta, [0], [3]))
  return add(matmul(positions, transpose(global)), slice(theta, [3], [6]))
}

/** The model vertices of the points, [...vertexIndex.shape, 3]. */
const pointVertices = (hand: Hand, theta: Tensor): Tensor =>
  hand.skinPointsOnly
    ? reshape(vertices(hand, theta, reshape(hand.vertexIndex, [-1])), [
        ...hand.vertexIndex.shape,
        3,
      ])
    : take(vertices(hand, theta), hand.vertexIndex, 0)

/** Residuals [points·3] (simple variant). */
export const simpleResiduals =
  (hand: Hand) =>
  (theta: Tensor): Tensor =>
    reshape(sub(hand.points, pointVertices(hand, theta)), [-1])

/** Residuals [points·3] for θ and barycentric coordinates us [points, 2]. */
export const complicatedResiduals =
  (hand: Hand) =>
  (theta: Tensor, us: Tensor): Tensor => {
    const corners = pointVertices(hand, theta) // [points, 3, 3]
    const u0 = slice(us, [0, 0], [us.shape[0]!, 1])
    const u1 = slice(us, [0, 1], [us.shape[0]!, 2])
    const w = stack([u0, u1, sub(sub(1, u0), u1)], 1) // [points, 3, 1]
    return reshape(sub(hand.points, sum(mul(w, corners), 1)), [-1])
  }

/**
 * The Jacobian [points·3, 28]: shared shifts of every u pair, then θ. Two `jacfwd`s: in θ (26
 * tangents, the us constant) and in the shift (2 tangents, θ constant), so that neither pushes
 * the other's tangents, which are zero, through its part of the model.
 */
export const complicatedJacobian = (hand: Hand, theta: Tensor, us: Tensor): Tensor => {
  const residuals = complicatedResiduals(hand)
  const inU = jacfwd((shift: Tensor) => residuals(theta, add(us, shift)))(zeros([2]))
  const inTheta = jacfwd((t: Tensor) => residuals(t, us))(theta)
  return concat([inU, inTheta], 1)
}

const asRows = (t: Tensor): unknown => t.toArray()

export const module = {
  objective: multipleRuns((input: Input) => {
    const hand = prepareHand(input)
    const theta = tensor(input.theta)
    if (input.us.length === 0) {
      const f = maybeJit(simpleResiduals(hand))
      return { run: () => f(theta), toJson: toList }
    }
    const us = tensor(input.us)
    const f = maybeJit(complicatedResiduals(hand))
    return { run: () => f(theta, us), toJson: toList }
  }),
  jacobian: multipleRuns((input: Input) => {
    const hand = prepareHand(input)
    const theta = tensor(input.theta)
    if (input.us.length === 0) {
      const f = maybeJit(jacfwd(simpleResiduals(hand)))
      return { run: () => f(theta), toJson: asRows }
    }
    const us = tensor(input.us)
    const f = maybeJit((t: Tensor, u: Tensor) => complicatedJacobian(hand, t, u))
    return { run: () => f(theta, us), toJson: asRows }
  }),
}
