/**
 * Random differentiable programs: a fast-check arbitrary that builds straight-line programs
 * (DAGs in SSA form) over fluxion's public ops — smooth elementwise functions, broadcasting
 * binary arithmetic, reductions, shape ops and `matmul` — together with their inputs. Values
 * stay inside each op's domain by construction (`log1p` only of a square, `div` only by
 * 1 + a square, `exp` only of a `tanh`), and stay bounded: a node whose static bound exceeds 3
 * is followed by a `tanh`, so the laws' finite-difference tolerances hold on every program.
 *
 * Gathers and scatter-adds (`take`, `at(…).add`) index with fixed lists holding repeated and
 * negative indices; `cumsum` runs along an axis either way, and `einsum` contracts two values
 * with a spec their shapes fit (a product with a transposed operand, an inner or an outer
 * product). `sort` sorts tanh(x) plus offsets 3 apart in a scrambled order (`sortApart`): never
 * a tie — at a tie sort's derivative follows the stable order while a central difference
 * averages the sides — yet a permutation that is not the identity, so its gather is exercised.
 *
 * A program is generated from a list of raw node specs (naturals), each compiled against the
 * nodes before it (operands taken modulo the nodes available), so shrinking the list shrinks
 * the program to fewer, simpler nodes. `run` evaluates a program with fluxion ops, so every
 * transformation applies to it; `show` prints it as readable fluxion code, which is also how
 * counterexamples print.
 * @module
 */
import fc from 'fast-check'
import { Tensor } from '../index.ts'
import { real } from './arbitraries.ts'
import { show } from './program-text.ts'

export { run } from './program-run.ts'

/** A value's shape: rank 0 to 2 here. */
export type ProgramShape = readonly number[]

/** The elementwise ops of one operand, each kept inside its domain by construction. */
const unaryOps = [
  'sin',
  'tanh',
  'cos',
  'atan',
  'erf',
  'logistic',
  'softplus',
  'square',
  'neg',
  'expTanh',
  'log1pSquare',
  'sqrt1pSquare',
  'addConst',
  'mulConst',
  'tanTanh',
  'asinHalfTanh',
  'acosHalfTanh',
  'sinhTanh',
  'coshTanh',
  'expm1Tanh',
  'powSafe',
  'absShifted',
  'signGate',
] as const

/** The ops a program node may apply. */
export const programOps = [
  ...unaryOps,
  'add',
  'sub',
  'mul',
  'divSafe',
  'atan2Safe',
  'maximumApart',
  'minimumApart',
  'whereGate',
  'safeMul',
  'sum',
  'mean',
  'logSumExp',
  'reshape',
  'transpose',
  'slice',
  'concat',
  'expandDims',
  'matmul',
  'take',
  'atAdd',
  'cumsum',
  'einsum',
  'sortApart',
] as const

/** An op of a program node. */
export type ProgramOp = (typeof programOps)[number]

/** An op's static parameters (which ones depend on the op). */
export interface NodeParams {
  /** Reduction, slice, concat or expandDims axis; a reduction over all axes when absent. */
  readonly axis?: number
  /** Whether a reduction keeps its reduced axes (as size 1). */
  readonly keepdims?: boolean
  /** The target shape of `reshape`. */
  readonly shape?: ProgramShape
  /** Start of `slice` along `axis` (inclusive). */
  readonly start?: number
  /** End of `slice` along `axis` (exclusive). */
  readonly end?: number
  /** The constant of `addConst` and `mulConst`, and the exponent of `powSafe`. */
  readonly c?: number
  /** The indices along `axis` of `take` and `atAdd` (repeated and negative ones too). */
  readonly indices?: readonly number[]
  /** `cumsum` from the end of its axis. */
  readonly reverse?: boolean
  /** The subscripts of `einsum`. */
  readonly spec?: string
}

/** One SSA node: `op` applied to earlier values (inputs first, then nodes, numbered together). */
export interface ProgramNode {
  /** The op applied. */
  readonly op: ProgramOp
  /** Indices of the values it is applied to, in argument order. */
  readonly args: readonly number[]
  /** The op's static parameters. */
  readonly params: NodeParams
  /** The shape of the node's value. */
  readonly shape: ProgramShape
}

/** One term of the scalar output: `weight · sum(v[value])`. */
export interface OutputTerm {
  /** Index of the value summed. */
  readonly value: number
  /** The factor the sum is multiplied by. */
  readonly weight: number
}

/**
 * A straight-line differentiable program: values `v0 … v(k−1)` are its inputs (of
 * `inputShapes`), `vk, …` its nodes in order; the output is the scalar Σ weight · sum(v).
 */
export interface Program {
  /** The shape of each input, in order. */
  readonly inputShapes: readonly ProgramShape[]
  /** The nodes, each using only inputs and earlier nodes. */
  readonly nodes: readonly ProgramNode[]
  /** The terms summed into the scalar output. */
  readonly output: readonly OutputTerm[]
}

/** Options of `program`. */
export interface ProgramOptions {
  /** Most inputs (at least one is generated); default 2. */
  readonly inputs?: number
  /** Most nodes before bounding `tanh`s are added; default 8. */
  readonly maxNodes?: number
  /**
   * The constants that `add`, `mul` and `pow` by a constant draw from; default 0.5, −1, 2, −0.5,
   * 1.5, 0 and −0 (both zeros: their results differ, as 1/x and x·c show). An empty list counts
   * as the default.
   */
  readonly constants?: readonly number[]
}

const inputShapeMenu: readonly ProgramShape[] = [[3], [], [2, 3], [2], [3, 2]]
const defaultConstants: readonly number[] = [0.5, -1, 2, -0.5, 1.5, 0, -0]
const weights = [1, -0.5, 2, 0.25]
const bound = 3
const maxSize = 36

/** The ops in the order raw specs pick them: simple first, so shrinking moves toward them. */
const pickOrder: readonly ProgramOp[] = [
  'add',
  'mul',
  ...programOps.filter((op) => op !== 'add' && op !== 'mul'),
]

const sizeOf = (s: ProgramShape): number => s.reduce((a, b) => a * b, 1)
const sameShape = (a: ProgramShape, b: ProgramShape): boolean =>
  a.length === b.length && a.every((d, i) => d === b[i])

/** The NumPy broadcast of two shapes, or undefined when they do not broadcast. */
const broadcastShapes = (a: ProgramShape, b: ProgramShape): ProgramShape | undefined => {
  const n = Math.max(a.length, b.length)
  const out: number[] = []
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1
    const y = b[b.length - n + i] ?? 1
    if (x !== y && x !== 1 && y !== 1) return undefined
    out.push(Math.max(x, y))
  }
  return out
}

/** Shapes of rank ≤ 2 with `n` entries. */
const reshapeTargets = (n: number): ProgramShape[] => {
  const out: ProgramShape[] = [[n]]
  for (let d = 1; d <= n; d++) if (n % d === 0) out.push([d, n / d])
  if (n === 1) out.push([])
  return out
}

/** The bound on |value| after a unary op, given the bound `b` on its argument. */
const unaryBound = (op: (typeof unaryOps)[number], b: number, c: number): number => {
  switch (op) {
    case 'sin':
    case 'cos':
    case 'tanh':
    case 'erf':
    case 'logistic':
      return 1
    case 'atan':
      return Math.PI / 2
    case 'softplus':
      return b + 1
    case 'square':
      return b * b
    case 'neg':
      return b
    case 'expTanh':
      return Math.E
    case 'log1pSquare':
      return Math.log1p(b * b)
    case 'sqrt1pSquare':
      return Math.sqrt(1 + b * b)
    case 'addConst':
      return b + Math.abs(c)
    case 'mulConst':
      return b * Math.abs(c)
    case 'tanTanh':
      return Math.tan(1)
    case 'asinHalfTanh':
      return Math.PI / 6
    case 'acosHalfTanh':
      return (2 * Math.PI) / 3
    case 'sinhTanh':
      return Math.sinh(1)
    case 'coshTanh':
      return Math.cosh(1)
    case 'expm1Tanh':
      return Math.E - 1
    case 'powSafe':
      // (1 + x²)^c: at most (1 + b²)^c for c > 0, at most 1 for c < 0
      return c > 0 ? (1 + b * b) ** c : 1
    case 'absShifted':
      return 1 + b * b
    case 'signGate':
      return b
  }
}

/** A raw node spec: naturals that `compile` maps to a valid node. */
interface RawNode {
  readonly op: number
  readonly a: number
  readonly b: number
  readonly p: number
  readonly q: number
}

interface Slot {
  readonly shape: ProgramShape
  readonly bound: number
}

/** Compiles raw specs into a program whose every node is valid for its operands' shapes. */
const compile = (
  inputShapes: readonly ProgramShape[],
  raw: readonly RawNode[],
  constants: readonly number[],
): Program => {
  const slots: Slot[] = inputShapes.map((shape) => ({ shape, bound: 1.5 }))
  const nodes: ProgramNode[] = []
  const emit = (op: ProgramOp, args: number[], params: NodeParams, s: Slot): void => {
    nodes.push({ op, args, params, shape: s.shape })
    slots.push(s)
    if (s.bound > bound) {
      nodes.push({ op: 'tanh', args: [slots.length - 1], params: {}, shape: s.shape })
      slots.push({ shape: s.shape, bound: 1 })
    }
  }
  const pickWhere = (k: number, ok: (s: Slot, i: number) => boolean): number | undefined => {
    const candidates = slots.flatMap((s, i) => (ok(s, i) ? [i] : []))
    return candidates.length === 0 ? undefined : candidates[k % candidates.length]
  }
  for (const r of raw) {
    // operands count back from the newest value, so the program stays connected
    const ai = slots.length - 1 - (r.a % slots.length)
    const A = slots[ai]!
    const op = pickOrder[r.op % pickOrder.length]!
    const rank = A.shape.length
    const fallback = (): void => {
      emit('sin', [ai], {}, { shape: A.shape, bound: 1 })
    }
    switch (op) {
      case 'add':
      case 'sub':
      case 'mul':
      case 'divSafe':
      case 'atan2Safe':
      case 'maximumApart':
      case 'minimumApart':
      case 'whereGate':
      case 'safeMul': {
        // maximum(a, b + 10) − 10 and minimum(a, b − 10) + 10 stay off their kink (both are b)
        // while |a − b| < 10; with no such partner, a value pairs with itself, always apart
        const apart = op === 'maximumApart' || op === 'minimumApart'
        const bi = pickWhere(r.b, (s) => {
          const out = broadcastShapes(A.shape, s.shape)
          return out !== undefined && sizeOf(out) <= maxSize && (!apart || A.bound + s.bound < 10)
        })
        const B = slots[bi ?? ai]!
        const shape = broadcastShapes(A.shape, B.shape)!
        const b =
          op === 'mul'
            ? A.bound * B.bound
            : op === 'divSafe'
              ? A.bound
              : op === 'atan2Safe'
                ? Math.PI
                : apart
                  ? B.bound
                  : op === 'whereGate'
                    ? Math.max(A.bound, B.bound)
                    : op === 'safeMul'
                      ? A.bound * B.bound
                      : A.bound + B.bound
        emit(op, [ai, bi ?? ai], {}, { shape, bound: b })
        break
      }
      case 'sum':
      case 'mean':
      case 'logSumExp': {
        const keepdims = r.q % 2 === 1
        const axis = rank === 0 || r.p % (rank + 1) === rank ? undefined : r.p % (rank + 1)
        const shape =
          axis === undefined
            ? keepdims
              ? A.shape.map(() => 1)
              : []
            : keepdims
              ? A.shape.map((d, i) => (i === axis ? 1 : d))
              : A.shape.filter((_, i) => i !== axis)
        const n = sizeOf(A.shape) / sizeOf(shape)
        const b = op === 'sum' ? A.bound * n : op === 'mean' ? A.bound : A.bound + Math.log(n)
        emit(op, [ai], { ...(axis === undefined ? {} : { axis }), keepdims }, { shape, bound: b })
        break
      }
      case 'reshape': {
        const targets = reshapeTargets(sizeOf(A.shape)).filter((t) => !sameShape(t, A.shape))
        const shape = targets[r.p % targets.length]!
        emit('reshape', [ai], { shape }, { shape, bound: A.bound })
        break
      }
      case 'transpose':
        if (rank !== 2) fallback()
        else emit('transpose', [ai], {}, { shape: [A.shape[1]!, A.shape[0]!], bound: A.bound })
        break
      case 'slice': {
        const axes = A.shape.flatMap((d, i) => (d >= 2 ? [i] : []))
        if (axes.length === 0) {
          fallback()
          break
        }
        const axis = axes[r.p % axes.length]!
        const d = A.shape[axis]!
        const start = r.q % (d - 1)
        const end = start + 1 + (r.b % (d - start))
        const shape = A.shape.map((x, i) => (i === axis ? end - start : x))
        emit('slice', [ai], { axis, start, end }, { shape, bound: A.bound })
        break
      }
      case 'concat': {
        if (rank === 0 || sizeOf(A.shape) * 2 > maxSize) {
          fallback()
          break
        }
        const bi = pickWhere(r.b, (s) => sameShape(s.shape, A.shape))!
        const axis = r.p % rank
        const shape = A.shape.map((x, i) => (i === axis ? 2 * x : x))
        emit('concat', [ai, bi], { axis }, { shape, bound: Math.max(A.bound, slots[bi]!.bound) })
        break
      }
      case 'expandDims': {
        if (rank === 2) {
          fallback()
          break
        }
        const axis = r.p % (rank + 1)
        const shape = [...A.shape.slice(0, axis), 1, ...A.shape.slice(axis)]
        emit('expandDims', [ai], { axis }, { shape, bound: A.bound })
        break
      }
      case 'take':
      case 'atAdd': {
        if (rank === 0) {
          fallback()
          break
        }
        const axis = r.p % rank
        const n = A.shape[axis]!
        // 1–3 indices in [−n, n): the bits of q pick them, so repeats are common
        const indices = Array.from(
          { length: 1 + (r.q % 3) },
          (_, j) => (Math.floor(r.q / 3 / (2 * n) ** j) % (2 * n)) - n,
        )
        const gathered = A.shape.map((d, i) => (i === axis ? indices.length : d))
        if (op === 'take') {
          if (sizeOf(gathered) > maxSize) fallback()
          else emit('take', [ai], { axis, indices }, { shape: gathered, bound: A.bound })
          break
        }
        // updates that broadcast to the gathered shape, added once per repeat of an index
        const bi = pickWhere(r.b, (s) => {
          const out = broadcastShapes(s.shape, gathered)
          return out !== undefined && sameShape(out, gathered)
        })
        if (bi === undefined) {
          fallback()
          break
        }
        const b = A.bound + indices.length * slots[bi]!.bound
        emit('atAdd', [ai, bi], { axis, indices }, { shape: A.shape, bound: b })
        break
      }
      case 'cumsum': {
        if (rank === 0) {
          fallback()
          break
        }
        const axis = r.p % rank
        const params = { axis, reverse: r.q % 2 === 1 }
        emit('cumsum', [ai], params, { shape: A.shape, bound: A.bound * A.shape[axis]! })
        break
      }
      case 'sortApart': {
        if (rank === 0) {
          fallback()
          break
        }
        // offsets 3·k in the order k = 1, 3, 5, …, 0, 2, 4, …: tanh(x) stays within 1 of them
        const n = A.shape[rank - 1]!
        emit('sortApart', [ai], {}, { shape: A.shape, bound: 3 * n })
        break
      }
      case 'einsum': {
        // ij,kj->ik (a product with the second operand transposed), i,i-> or i,j->ij
        const fits = (s: Slot): string | undefined => {
          if (rank === 2 && s.shape.length === 2 && s.shape[1] === A.shape[1]) {
            return A.shape[0]! * s.shape[0]! <= maxSize ? 'ij,kj->ik' : undefined
          }
          if (rank !== 1 || s.shape.length !== 1) return undefined
          if (s.shape[0] === A.shape[0] && r.q % 2 === 0) return 'i,i->'
          return A.shape[0]! * s.shape[0]! <= maxSize ? 'i,j->ij' : undefined
        }
        const bi = pickWhere(r.b, (s) => fits(s) !== undefined)
        if (bi === undefined) {
          fallback()
          break
        }
        const B = slots[bi]!
        const spec = fits(B)!
        const [shape, k]: [ProgramShape, number] =
          spec === 'ij,kj->ik'
            ? [[A.shape[0]!, B.shape[0]!], A.shape[1]!]
            : spec === 'i,i->'
              ? [[], A.shape[0]!]
              : [[A.shape[0]!, B.shape[0]!], 1]
        emit('einsum', [ai, bi], { spec }, { shape, bound: A.bound * B.bound * k })
        break
      }
      case 'matmul': {
        const k = A.shape[rank - 1]
        const bi =
          k === undefined
            ? undefined
            : pickWhere(r.b, (s) => s.shape.length >= 1 && s.shape[0] === k)
        if (bi === undefined) {
          fallback()
          break
        }
        const B = slots[bi]!
        const shape = [...A.shape.slice(0, -1), ...B.shape.slice(1)]
        emit('matmul', [ai, bi], {}, { shape, bound: A.bound * B.bound * k! })
        break
      }
      default: {
        const c = constants[r.p % constants.length]!
        const params = op === 'addConst' || op === 'mulConst' || op === 'powSafe' ? { c } : {}
        emit(op, [ai], params, { shape: A.shape, bound: unaryBound(op, A.bound, c) })
      }
    }
  }
  // the output sums every value no node uses (the last one first), so no node is dead
  const used = new Set(nodes.flatMap((n) => n.args))
  const sinks = slots.flatMap((_, i) => (used.has(i) ? [] : [i])).reverse()
  const output = sinks.map((value, i) => ({ value, weight: weights[i % weights.length]! }))
  return { inputShapes, nodes, output }
}

const withShow = <T extends object>(value: T, text: () => string): T =>
  Object.defineProperty(value, fc.toStringMethod, { value: text, enumerable: false })

const rawNode: fc.Arbitrary<RawNode> = fc.record({
  op: fc.nat(),
  a: fc.nat(),
  b: fc.nat(),
  p: fc.nat(),
  q: fc.nat(),
})

/**
 * Random differentiable programs: DAGs over fluxion's smooth ops, broadcasting, reductions and
 * shape ops, with fan-out, valid and bounded by construction. Shrinks toward fewer inputs,
 * fewer nodes and simpler ops; prints (in counterexamples too) as `show` does.
 *
 * @example
 * show(fc.sample(program({ maxNodes: 4 }), 1)[0]!).includes('Scalar => {') // => true
 * @category arbitraries
 */
export const program = (options: ProgramOptions = {}): fc.Arbitrary<Program> => {
  const maxInputs = Math.max(1, options.inputs ?? 2)
  const maxNodes = options.maxNodes ?? 8
  const constants = options.constants?.length ? options.constants : defaultConstants
  return fc
    .tuple(
      fc.array(fc.nat({ max: inputShapeMenu.length - 1 }), { minLength: 1, maxLength: maxInputs }),
      fc.array(rawNode, { maxLength: maxNodes, size: 'medium' }),
    )
    .map(([shapes, raw]) => {
      const p = compile(
        shapes.map((i) => inputShapeMenu[i]!),
        raw,
        constants,
      )
      return withShow(p, () => show(p))
    })
}

/** A program with inputs and tangents (directions) for them, as `programCase` draws it. */
export interface ProgramCase {
  /** The program. */
  readonly program: Program
  /** One value per input, of its shape. */
  readonly inputs: readonly Tensor[]
  /** One direction per input, of its shape. */
  readonly tangents: readonly Tensor[]
}

const valuesFor = (p: Program, raw: readonly (readonly number[])[]): Tensor[] =>
  p.inputShapes.map((s, i) => new Tensor(Float64Array.from(raw[i]!.slice(0, sizeOf(s))), s))

/** Options of `programCase`. */
export interface ProgramCaseOptions extends ProgramOptions {
  /** Input entries; default reals in [−1.5, 1.5]. */
  readonly elements?: fc.Arbitrary<number>
}

/**
 * A random program with inputs (entries in [−1.5, 1.5]) and tangents (in [−1, 1]) of its input
 * shapes. Entries are drawn independently of the shapes, so program and values shrink
 * together; a counterexample prints as the program's code followed by its inputs.
 *
 * @example
 * fc.sample(programCase(), 1)[0]!.inputs.length >= 1 // => true
 * @category arbitraries
 */
export const programCase = (options: ProgramCaseOptions = {}): fc.Arbitrary<ProgramCase> => {
  const maxInputs = Math.max(1, options.inputs ?? 2)
  const entries = (e: fc.Arbitrary<number>) =>
    fc.array(fc.array(e, { minLength: 6, maxLength: 6 }), {
      minLength: maxInputs,
      maxLength: maxInputs,
    })
  const elements = options.elements ?? real(-1.5, 1.5)
  return fc.tuple(program(options), entries(elements), entries(real(-1, 1))).map(([p, xs, vs]) => {
    const c: ProgramCase = { program: p, inputs: valuesFor(p, xs), tangents: valuesFor(p, vs) }
    const values = (ts: readonly Tensor[]) =>
      ts.map((t, i) => `  v${i} = [${Array.from(t.data).join(', ')}]`).join('\n')
    return withShow(
      c,
      () => `${show(p)}\ninputs:\n${values(c.inputs)}\ntangents:\n${values(c.tangents)}`,
    )
  })
}
