/**
 * A loop-by-loop reference for `einsum` and `tensordot`, written independently of src (its own
 * parser; every label assignment visited, one multiply-add each), and a fast-check arbitrary of
 * random einsum problems: 1–4 operands, labels repeated within an operand (diagonals, traces),
 * `...` batch axes that broadcast, implicit and explicit outputs, upper- and lower-case labels.
 * Entries are small integers, so every sum is exact and comparisons need no tolerance.
 */
import fc from 'fast-check'
import { type Tensor, tensor } from 'fluxion'

/** A dense row-major array, as plain numbers. */
export interface Arr {
  readonly shape: readonly number[]
  readonly data: readonly number[]
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1)

/** Visits every index tuple of `shape` in row-major order. */
function* indices(shape: readonly number[]): Generator<number[]> {
  if (shape.some((n) => n === 0)) return
  const at = shape.map(() => 0)
  for (;;) {
    yield at.slice()
    let k = shape.length - 1
    while (k >= 0 && ++at[k]! === shape[k]!) at[k--] = 0
    if (k < 0) return
  }
}

const offset = (shape: readonly number[], at: readonly number[]) =>
  at.reduce((o, i, k) => o * shape[k]! + i, 0)

/** NumPy's einsum on plain arrays: labels `#k` stand for the k-th `...` axis from the right. */
export function einsumRef(spec: string, ops: readonly Arr[]): Arr {
  const clean = spec.replaceAll(' ', '')
  const [lhs, rhs] = clean.includes('->') ? clean.split('->') : [clean, undefined]
  const terms = lhs!.split(',')
  const batchRank = Math.max(
    0,
    ...terms.map((t, i) =>
      t.includes('...') ? ops[i]!.shape.length - t.replace('...', '').length : 0,
    ),
  )
  const expand = (t: string, rank: number): string[] => {
    const [before, after] = t.includes('...') ? t.split('...') : [t, '']
    const covered = rank - before!.length - after!.length
    const dots = Array.from({ length: covered }, (_, k) => `#${covered - 1 - k}`)
    return [...before!, ...(t.includes('...') ? dots : []), ...after!]
  }
  const inputs = terms.map((t, i) => expand(t, ops[i]!.shape.length))
  let output: string[]
  if (rhs === undefined) {
    const letters = inputs.flat().filter((l) => !l.startsWith('#'))
    const once = [...new Set(letters)].filter((l) => letters.indexOf(l) === letters.lastIndexOf(l))
    output = [...expand('...', batchRank), ...once.sort()]
  } else {
    output = expand(rhs, rhs.replace('...', '').length + batchRank)
  }
  const sizes = new Map<string, number>()
  inputs.forEach((labels, i) => {
    labels.forEach((l, k) => {
      sizes.set(l, Math.max(sizes.get(l) ?? 1, ops[i]!.shape[k]!))
      if (!l.startsWith('#') && ops[i]!.shape[k] === 0) sizes.set(l, 0)
    })
  })
  const all = [...new Set([...inputs.flat(), ...output])]
  const outShape = output.map((l) => sizes.get(l)!)
  const out = new Array<number>(size(outShape)).fill(0)
  for (const at of indices(all.map((l) => sizes.get(l)!))) {
    const value = (l: string) => at[all.indexOf(l)]!
    let p = 1
    inputs.forEach((labels, i) => {
      const { shape, data } = ops[i]!
      // a '...' axis of size 1 broadcasts: it is read at 0
      const idx = labels.map((l, k) => (shape[k] === 1 ? 0 : value(l)))
      p *= data[offset(shape, idx)]!
    })
    out[offset(outShape, output.map(value))]! += p
  }
  return { shape: outShape, data: out }
}

/** NumPy's tensordot with explicit axis lists, by the same reference. */
export function tensordotRef(a: Arr, b: Arr, axesA: number[], axesB: number[]): Arr {
  const na = axesA.map((x) => (x < 0 ? x + a.shape.length : x))
  const nb = axesB.map((x) => (x < 0 ? x + b.shape.length : x))
  const letters = 'abcdefghijklmnopqrstuvwxyz'
  const la = a.shape.map((_, i) => letters[i]!)
  const lb = b.shape.map((_, j) => (nb.includes(j) ? la[na[nb.indexOf(j)]!]! : letters[13 + j]!))
  const out = [...la.filter((_, i) => !na.includes(i)), ...lb.filter((_, j) => !nb.includes(j))]
  return einsumRef(`${la.join('')},${lb.join('')}->${out.join('')}`, [a, b])
}

/** A plain array as a tensor, and back. */
export const toTensor = (a: Arr): Tensor => tensor([...a.data], [...a.shape])
export const fromTensor = (t: Tensor): Arr => ({ shape: [...t.shape], data: [...t.data] })

/** A random einsum problem: the subscripts and operands that fit them. */
export interface Problem {
  readonly spec: string
  readonly ops: readonly Arr[]
}

const POOL = ['a', 'b', 'c', 'D', 'e'] as const

const entries = (n: number) =>
  fc.array(fc.integer({ min: -3, max: 3 }), { minLength: n, maxLength: n })

/** Arbitrary einsum problems (see the module comment). */
export const problemArb = (maxOperands = 4): fc.Arbitrary<Problem> =>
  fc.gen().chain((g) => {
    const sizes = POOL.map(() => g(fc.integer, { min: 1, max: 3 }))
    const batch = g(fc.array, fc.integer({ min: 1, max: 3 }), { maxLength: 2 })
    const useDots = g(fc.boolean)
    const count = g(fc.integer, { min: 1, max: maxOperands })
    const terms: string[] = []
    const shapes: number[][] = []
    for (let i = 0; i < count; i++) {
      const picks = g(fc.array, fc.integer({ min: 0, max: POOL.length - 1 }), { maxLength: 3 })
      const labels: string[] = picks.map((p) => POOL[p]!)
      const shape: number[] = picks.map((p) => sizes[p]!)
      if (useDots && g(fc.boolean)) {
        const rank = g(fc.integer, { min: 0, max: batch.length })
        const own = batch.slice(batch.length - rank).map((n) => (g(fc.boolean) ? n : 1))
        const at = g(fc.integer, { min: 0, max: labels.length })
        labels.splice(at, 0, '...')
        shape.splice(at, 0, ...own)
      }
      terms.push(labels.join(''))
      shapes.push(shape)
    }
    const dots = terms.some((t) => t.includes('...'))
    let spec = terms.join(',')
    if (g(fc.boolean)) {
      const used = [...new Set(terms.join('').replaceAll('.', ''))]
      const out = used.filter(() => g(fc.boolean))
      for (let k = out.length - 1; k > 0; k--) {
        const j = g(fc.integer, { min: 0, max: k })
        ;[out[k], out[j]] = [out[j]!, out[k]!]
      }
      if (dots) out.splice(g(fc.integer, { min: 0, max: out.length }), 0, '...')
      spec += `->${out.join('')}`
    }
    return fc.tuple(...shapes.map((s) => entries(size(s)))).map(
      (datas): Problem => ({
        spec,
        ops: shapes.map((shape, i) => ({ shape, data: datas[i]! })),
      }),
    )
  })
