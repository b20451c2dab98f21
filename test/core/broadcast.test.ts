/**
 * Law `unbroadcast`: when an input of a binary op broadcasts, its cotangent is the output
 * cotangent times the partial, summed over the broadcast positions, so it has the input's own
 * shape (and kind: a number stays a number, a rank-0 tensor stays a tensor). Checked for
 * shapes [3]·[2, 3], [2, 1]·[1, 3], number·[2, 2], rank-0·[4] and [2, 1, 3]·[4, 1], with the
 * broadcasting input in either position, in reverse mode (`grad`, `vjp`) and forward mode
 * (`jvp`, where the tangent of the smaller input is broadcast instead), against a reference
 * that walks the output index by index.
 */
import {
  add,
  atan2,
  div,
  grad,
  jvp,
  maximum,
  minimum,
  mul,
  pow,
  scalar,
  sub,
  sum,
  Tensor,
  tensor,
  vjp,
} from 'fluxion'
import { describe, expect, it } from 'vitest'
import { expectClose } from '../helpers.ts'

type Operand = number | Tensor
type BinaryOp = (a: Operand, b: Operand) => Operand
type Partial = (a: number, b: number) => number

const shapeOf = (v: Operand): readonly number[] => (typeof v === 'number' ? [] : v.shape)
const dataOf = (v: Operand): readonly number[] => (typeof v === 'number' ? [v] : [...v.data])
const sizeOf = (s: readonly number[]) => s.reduce((n, d) => n * d, 1)

/** NumPy broadcast shape of two shapes (assumed compatible). */
const outShapeOf = (a: readonly number[], b: readonly number[]): number[] => {
  const r = Math.max(a.length, b.length)
  return Array.from({ length: r }, (_, i) => {
    const da = a[i - r + a.length] ?? 1
    return da === 1 ? (b[i - r + b.length] ?? 1) : da
  })
}

/** Flat index into an operand of shape `s` read at output multi-index `idx`. */
const source = (s: readonly number[], idx: readonly number[]): number => {
  const lead = idx.length - s.length
  return s.reduce((flat, d, ax) => flat * d + (d === 1 ? 0 : idx[lead + ax]!), 0)
}

/** Multi-indices of every output position, row-major. */
const positions = (s: readonly number[]): number[][] =>
  Array.from({ length: sizeOf(s) }, (_, o) => {
    const idx: number[] = []
    for (let ax = s.length - 1; ax >= 0; ax--) {
      idx.unshift(o % s[ax]!)
      o = Math.floor(o / s[ax]!)
    }
    return idx
  })

/** Same kind and shape as `like`, holding `data`. */
const like = (v: Operand, data: readonly number[]): Operand =>
  typeof v === 'number' ? data[0]! : tensor([...data], v.shape)

interface OpCase {
  readonly name: string
  readonly op: BinaryOp
  readonly da: Partial
  readonly db: Partial
}

const ops: readonly OpCase[] = [
  { name: 'add', op: add, da: () => 1, db: () => 1 },
  { name: 'sub', op: sub, da: () => 1, db: () => -1 },
  { name: 'mul', op: mul, da: (_, b) => b, db: (a) => a },
  { name: 'div', op: div, da: (_, b) => 1 / b, db: (a, b) => -a / (b * b) },
  { name: 'pow', op: pow, da: (a, b) => b * a ** (b - 1), db: (a, b) => a ** b * Math.log(a) },
  {
    name: 'atan2',
    op: atan2,
    da: (y, x) => x / (x * x + y * y),
    db: (y, x) => -y / (x * x + y * y),
  },
  { name: 'maximum', op: maximum, da: (a, b) => +(a > b), db: (a, b) => +(b > a) },
  { name: 'minimum', op: minimum, da: (a, b) => +(a < b), db: (a, b) => +(b < a) },
]

/** Positive dyadic values; `offset` keeps the two operands from ever tying. */
const fill = (shape: readonly number[] | 'number', offset: number): Operand => {
  const s = shape === 'number' ? [] : shape
  const data = Array.from({ length: sizeOf(s) }, (_, k) => 0.5 + ((k * 3) % 5) * 0.25 + offset)
  return shape === 'number' ? data[0]! : tensor(data, s)
}

const pairs: readonly (readonly [string, readonly number[] | 'number', readonly number[]])[] = [
  ['[3] against [2, 3]', [3], [2, 3]],
  ['[2, 1] against [1, 3]', [2, 1], [1, 3]],
  ['number against [2, 2]', 'number', [2, 2]],
  ['rank-0 tensor against [4]', [], [4]],
  ['[2, 1, 3] against [4, 1]', [2, 1, 3], [4, 1]],
]
const cases = pairs.flatMap(([label, small, big]) => [
  { label: `${label}, broadcasting input first`, a: fill(small, 0), b: fill(big, 0.125) },
  { label: `${label}, broadcasting input second`, a: fill(big, 0), b: fill(small, 0.125) },
])

describe.each(ops)('$name', ({ op, da, db }) => {
  describe.each(cases)('unbroadcast: $label', ({ a, b }) => {
    const out = outShapeOf(shapeOf(a), shapeOf(b))
    const idxs = positions(out)
    const [ad, bd] = [dataOf(a), dataOf(b)]
    const at = (idx: number[]) =>
      [ad[source(shapeOf(a), idx)]!, bd[source(shapeOf(b), idx)]!] as const
    const w = idxs.map((_, o) => 1 + (o % 3) - 0.5 * (o % 2)) // a non-uniform cotangent
    /** Reference cotangents: Σ over output positions of w·∂, scattered to the source index. */
    const expected = (v: Operand, partial: Partial): Operand => {
      const acc = new Array<number>(dataOf(v).length).fill(0)
      idxs.forEach((idx, o) => {
        const [x, y] = at(idx)
        acc[source(shapeOf(v), idx)]! += w[o]! * partial(x, y)
      })
      return like(v, acc)
    }
    const W = tensor(w, out)

    it('unbroadcast: grad has the shape and kind of each input and sums over broadcasting', () => {
      const [ga, gb] = grad((x: Operand, y: Operand) => sum(mul(op(x, y), W)), {
        argnums: [0, 1],
      })(a, b)
      expect(typeof ga).toBe(typeof a)
      expect(typeof gb).toBe(typeof b)
      expectClose(ga, expected(a, da))
      expectClose(gb, expected(b, db))
    })

    it('unbroadcast: vjp pulls the output cotangent back to each input shape', () => {
      const [y, pullback] = vjp(op, a, b)
      expect(shapeOf(y)).toEqual(out)
      const [aBar, bBar] = pullback(W)
      expectClose(aBar, expected(a, da))
      expectClose(bBar, expected(b, db))
    })

    it('unbroadcast (forward): jvp broadcasts the smaller tangent to the output shape', () => {
      const ta = like(
        a,
        dataOf(a).map((_, k) => 1 - 0.5 * k),
      )
      const tb = like(
        b,
        dataOf(b).map((_, k) => 0.25 * (k + 1)),
      )
      const [, yDot] = jvp(op, [a, b], [ta, tb])
      const [tad, tbd] = [dataOf(ta), dataOf(tb)]
      const want = idxs.map((idx) => {
        const [x, y] = at(idx)
        return da(x, y) * tad[source(shapeOf(a), idx)]! + db(x, y) * tbd[source(shapeOf(b), idx)]!
      })
      expectClose(yDot, tensor(want, out))
    })
  })
})

describe('unbroadcast, worked by hand', () => {
  it('add: [3] against [2, 3] — the [3] input gets each column summed over 2 rows', () => {
    const [ga, gb] = grad((a: Tensor, b: Tensor) => sum(add(a, b)), { argnums: [0, 1] })(
      tensor([1, 2, 3]),
      tensor([
        [0, 0, 0],
        [0, 0, 0],
      ]),
    )
    expectClose(ga, tensor([2, 2, 2]), 0, 0)
    expectClose(
      gb,
      tensor([
        [1, 1, 1],
        [1, 1, 1],
      ]),
      0,
      0,
    )
  })

  it('mul: [2, 1] against [1, 3] — row sums of b and column sums of a', () => {
    const a = tensor([[2], [5]])
    const b = tensor([[1, -1, 3]])
    const [ga, gb] = grad((x: Tensor, y: Tensor) => sum(mul(x, y)), { argnums: [0, 1] })(a, b)
    expectClose(ga, tensor([[3], [3]]), 0, 0)
    expectClose(gb, tensor([[7, 7, 7]]), 0, 0)
  })

  it('mul: a number against [2, 2] gets a number; a rank-0 tensor gets a rank-0 tensor', () => {
    const t = tensor([
      [1, 2],
      [3, 4],
    ])
    const gNumber = grad((s: number) => sum(mul(s, t)))(5)
    expect(gNumber).toBe(10)
    const gScalar = grad((s: Tensor) => sum(mul(s, t)))(scalar(5))
    expect(gScalar).toBeInstanceOf(Tensor)
    expectClose(gScalar, scalar(10), 0, 0)
    const [, sDot] = jvp((s: Tensor) => mul(s, t), [scalar(5)], [scalar(2)])
    expectClose(
      sDot,
      tensor([
        [2, 4],
        [6, 8],
      ]),
      0,
      0,
    )
  })
})
