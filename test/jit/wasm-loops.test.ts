/**
 * Fused loops as WebAssembly SIMD (src/jit/emit/wasm/): random elementwise chains, slices and
 * pads, and lowerings specialized to known constants, through `jit`, give eager's bits with
 * wasm on and off — ±0, ±∞, NaN, subnormals, odd sizes (the scalar tail), empty shapes, size 1,
 * several rows, operands by element, by column and as one number, float32 (wasm and JS loops
 * agree) — and wasm really runs them. (The fallbacks, the memory and the encoder:
 * ./wasm-loops-fallback.test.ts.)
 */
import { fc, test } from '@fast-check/vitest'
import {
  add,
  broadcastTo,
  div,
  full,
  grad,
  mul,
  neg,
  pad,
  safeMul,
  slice,
  sqrt,
  square,
  sub,
  sum,
  type Tensor,
  tensor,
} from 'fluxion'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { setWasmLoopMinElements, wasmLoopStats } from '../../src/jit/emit/wasm/step.ts'
import { setWasmKernels } from '../../src/tensor/kernels/gemm-select.ts'
import { agree, jitted, sameBits, shapes, special, value } from './wasm-helpers.ts'

let threshold = 0
beforeEach(() => {
  // every size through wasm, the smallest included
  threshold = setWasmLoopMinElements(0)
})
afterEach(() => {
  setWasmLoopMinElements(threshold)
  setWasmKernels(true)
})

// ---- random chains -----------------------------------------------------------------------
type Tree =
  | { leaf: 'x' | 'y' }
  | { constant: number }
  | { unary: 'neg' | 'square' | 'sqrt'; of: Tree }
  | { binary: 'add' | 'sub' | 'mul' | 'div' | 'safeMul'; a: Tree; b: Tree }

const { tree } = fc.letrec<{ tree: Tree }>((t) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom<Tree>({ leaf: 'x' }, { leaf: 'y' }),
    fc.record({ constant: fc.constantFrom(...special, 2, -2.75, Number.POSITIVE_INFINITY) }),
    fc.record({ unary: fc.constantFrom('neg', 'square', 'sqrt'), of: t('tree') }),
    fc.record({
      binary: fc.constantFrom('add', 'sub', 'mul', 'div', 'safeMul'),
      a: t('tree'),
      b: t('tree'),
    }),
  ),
}))

const unaries = { neg, square, sqrt }
const binaries = { add, sub, mul, div, safeMul }
/** The tree as a function of x and y (a leaf or constant alone still adds 0·x, to be a tensor). */
const build = (t: Tree): ((x: Tensor, y: Tensor) => Tensor | number) => {
  if ('leaf' in t) return (x, y) => (t.leaf === 'x' ? x : y)
  if ('constant' in t) return () => t.constant
  if ('unary' in t) {
    const of = build(t.of)
    const u = unaries[t.unary] as (v: Tensor | number) => Tensor | number
    return (x, y) => u(of(x, y))
  }
  const a = build(t.a)
  const b = build(t.b)
  const op = binaries[t.binary] as (p: Tensor | number, q: Tensor | number) => Tensor | number
  return (x, y) => op(a(x, y), b(x, y))
}
const asTensor =
  (f: (x: Tensor, y: Tensor) => Tensor | number) =>
  (x: Tensor, y: Tensor): Tensor =>
    add(f(x, y), sub(x, x)) as Tensor

describe('random elementwise chains', () => {
  let runs = 0
  const data = (shape: number[]) =>
    fc.array(value, {
      minLength: shape.reduce((p, q) => p * q, 1),
      maxLength: shape.reduce((p, q) => p * q, 1),
    })
  // y: x's shape (read element by element), its last axis (by column), or rank 0 (one number)
  const shaped = fc
    .tuple(
      fc.constantFrom(...shapes),
      fc.constantFrom<'same' | 'row' | 'one'>('same', 'row', 'one'),
    )
    .chain(([s, how]) => {
      const ys = how === 'same' ? s : how === 'row' ? s.slice(-1) : []
      return fc.tuple(fc.constant(s), data(s), data(ys), fc.constant(ys))
    })
  // or broadcast along other axes than the last, some of its axes 1: read by a row map (m[r],
  // or m[r] + j where its last axis is whole)
  const inner = fc
    .tuple(
      fc.constantFrom<number[]>(
        [3, 5],
        [4, 3],
        [2, 0],
        [3, 4, 5],
        [2, 3, 1],
        [1, 4, 6],
        [3, 0, 2],
        [5, 2, 7],
      ),
      fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
    )
    .chain(([s, ones]) => {
      const ys = s.map((d, i) => (ones[i] ? 1 : d))
      return fc.tuple(fc.constant(s), data(s), data(ys), fc.constant(ys))
    })
  const operands = fc.oneof(shaped, inner)

  test.prop([tree, operands], { numRuns: 200 })(
    'float64: eager bits, wasm on and off',
    (t, [s, xv, yv, ys]) => {
      const f = asTensor(build(t))
      const x = tensor(Float64Array.from(xv), s)
      const y = tensor(Float64Array.from(yv), ys)
      runs += agree(f, [x, y], f(x, y).data)
    },
  )

  test.prop([tree, operands], { numRuns: 130 })(
    'float32: wasm and JS loops agree',
    (t, [s, xv, yv, ys]) => {
      const f = asTensor(build(t))
      const x = tensor(Float32Array.from(xv), s)
      const y = tensor(Float32Array.from(yv), ys)
      const js = jitted(f, [x, y], false)[0]!
      const before = wasmLoopStats.runs
      for (const got of jitted(f, [x, y], true)) sameBits(got, js, 'float32')
      runs += wasmLoopStats.runs - before
    },
  )

  it('ran in wasm', () => {
    expect(runs).toBeGreaterThan(50)
  })
})

// ---- reads in place: slices and pads ----------------------------------------------------
describe('slices and pads read in place', () => {
  const vec = fc
    .integer({ min: 1, max: 41 })
    .chain((n) => fc.array(value, { minLength: n, maxLength: n }))

  test.prop([vec], { numRuns: 60 })('the gradient of vector Rosenbrock (W1)', (xs) => {
    const f = (x: Tensor): Tensor => {
      const n = x.shape[0]!
      const head = slice(x, [0], [n - 1])
      const tail = slice(x, [1])
      return sum(add(mul(100, square(sub(tail, square(head)))), square(sub(1, head))))
    }
    const x = tensor(Float64Array.from(xs))
    const g = grad(f)
    agree(g, [x], g(x).data)
  })

  test.prop([vec, fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })], { numRuns: 60 })(
    'pads of every width, with a fill, added to slices',
    (xs, lo, hi) => {
      const f = (x: Tensor): Tensor => {
        const n = x.shape[0]!
        const p = pad(x, [[lo, hi]], 2.5)
        const q = pad(x, [[hi, lo]])
        const s = n > 1 ? add(slice(x, [1]), slice(x, [0], [n - 1])) : x
        return add(mul(p, q), sum(s))
      }
      const x = tensor(Float64Array.from(xs))
      expect(agree(f, [x], f(x).data)).toBeGreaterThan(0)
    },
  )

  test.prop([fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 13 })], { numRuns: 30 })(
    'rows: pads and slices along the last axis of a matrix',
    (rows, cols) => {
      const xs = Float64Array.from({ length: rows * cols }, (_, i) => Math.sin(i) * 10 ** (i % 7))
      const f = (x: Tensor): Tensor => {
        const a = pad(
          x,
          [
            [0, 0],
            [2, 1],
          ],
          -1,
        )
        const b = pad(slice(x, [0, 0], [rows, cols]), [
          [0, 0],
          [1, 2],
        ])
        return add(mul(a, b), 0.5)
      }
      const x = tensor(xs, [rows, cols])
      agree(f, [x], f(x).data)
    },
  )

  test.prop([fc.integer({ min: 2, max: 5 }), fc.integer({ min: 1, max: 9 })], { numRuns: 30 })(
    'several arrays read in place at one index node (broadcasts of different rows)',
    (rows, cols) => {
      // broadcastTo's lowerings share their index node: each read must keep its own array
      // (a symmetric pad is built this way)
      const xs = Float64Array.from({ length: rows * cols }, (_, i) => Math.cos(i) * (i + 1))
      const f = (x: Tensor): Tensor => {
        const first = broadcastTo(slice(x, [0, 0], [1, cols]), [rows, cols])
        const last = broadcastTo(slice(x, [rows - 1, 0], [rows, cols]), [rows, cols])
        const column = broadcastTo(slice(x, [0, cols - 1], [rows, cols]), [rows, cols])
        return add(mul(first, 2), sub(last, column))
      }
      const x = tensor(xs, [rows, cols])
      expect(agree(f, [x], f(x).data)).toBeGreaterThan(0)
    },
  )
})

// ---- lowerings specialized to known constants (W1's safeMul by 1 and 100) ------------------
describe('specialized lowerings', () => {
  it('safeMul, mul and div by uniform constant tensors: eager bits, in wasm', () => {
    const xs = [...special, Number.POSITIVE_INFINITY, Number.NaN, 1e-310, -1e-20, 1e10]
    const x = tensor([...xs, ...xs.map((v) => -v)])
    const n = x.shape[0]!
    let runs = 0
    for (const c of [0, -0, 1, -1, 0.5, -0.5, 100, 1e-300, Number.POSITIVE_INFINITY, Number.NaN]) {
      const k = full([n], c)
      const fs = [
        (v: Tensor): Tensor => safeMul(k, v),
        (v: Tensor): Tensor => safeMul(v, k),
        (v: Tensor): Tensor => mul(v, k),
        (v: Tensor): Tensor => div(v, k),
        (v: Tensor): Tensor => safeMul(k, mul(k, add(v, v))),
      ]
      for (const f of fs) runs += agree(f, [x], f(x).data)
    }
    expect(runs).toBeGreaterThan(40)
  })
})
