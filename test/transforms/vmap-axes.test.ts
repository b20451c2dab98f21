/**
 * `vmap` with `inAxes` and `outAxes` as `jax.vmap`'s `in_axes`/`out_axes`: any axis (negative
 * too), `null`, and tree prefixes, per argument and per output — against a plain-JS loop over
 * the examples (each cut out along its axis by copying data, the results stacked along the
 * output axis by copying); composed with `grad`, `jvp` and `jit`; nested vmaps over different
 * axes; and the named errors, each naming the argument or output path.
 */
import {
  add,
  grad,
  InvalidArgumentError,
  jit,
  jvp,
  matmul,
  mul,
  random,
  ShapeError,
  sin,
  square,
  sub,
  sum,
  Tensor,
  TreeMismatchError,
  tensor,
  vmap,
} from 'fluxion'
import { describe, expect, it } from 'vitest'
import { expectTreeClose } from './batch-helpers.ts'

/** Example `i` of `x` along `axis`, by copying data (that axis removed). */
const take = (x: Tensor, axis: number, i: number): Tensor => {
  const shape = x.shape
  const ax = axis < 0 ? axis + shape.length : axis
  const outer = shape.slice(0, ax).reduce((a, b) => a * b, 1)
  const inner = shape.slice(ax + 1).reduce((a, b) => a * b, 1)
  const n = shape[ax]!
  const data = new Float64Array(outer * inner)
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < inner; k++) data[o * inner + k] = x.data[(o * n + i) * inner + k]!
  }
  return new Tensor(data, [...shape.slice(0, ax), ...shape.slice(ax + 1)])
}

/** Values of one shape stacked along a new `axis`, by copying data. */
const stackAt = (values: readonly (number | Tensor)[], axis: number): Tensor => {
  const ts = values.map((v) => (typeof v === 'number' ? new Tensor(Float64Array.of(v), []) : v))
  const shape = ts[0]!.shape
  const ax = axis < 0 ? axis + shape.length + 1 : axis
  const outer = shape.slice(0, ax).reduce((a, b) => a * b, 1)
  const inner = shape.slice(ax).reduce((a, b) => a * b, 1)
  const n = ts.length
  const data = new Float64Array(outer * n * inner)
  ts.forEach((t, i) => {
    for (let o = 0; o < outer; o++) {
      for (let k = 0; k < inner; k++) data[(o * n + i) * inner + k] = t.data[o * inner + k]!
    }
  })
  return new Tensor(data, [...shape.slice(0, ax), n, ...shape.slice(ax)])
}

type Spec = number | null | readonly Spec[] | { readonly [k: string]: Spec }

/** `tree` with each leaf mapped by `fn(leaf, axis)`, `spec` spread over it as a prefix. */
const withSpec = (
  tree: unknown,
  spec: Spec,
  fn: (leaf: number | Tensor, axis: number | null) => unknown,
): unknown => {
  if (typeof tree === 'number' || tree instanceof Tensor) return fn(tree, spec as number | null)
  if (tree === null || tree === undefined) return tree
  const sub = (k: string | number): Spec =>
    spec === null || typeof spec === 'number' ? spec : (spec as Record<string, Spec>)[k]!
  if (Array.isArray(tree)) return tree.map((c, i) => withSpec(c, sub(i), fn))
  return Object.fromEntries(
    Object.entries(tree as object).map(([k, c]) => [k, withSpec(c, sub(k), fn)]),
  )
}

/** The reference: `f` on each example in a loop, results stacked along their out axes. */
const loop =
  <A extends unknown[], B>(f: (...args: A) => B, inAxes: readonly Spec[], outAxes: Spec = 0) =>
  (...args: A): B => {
    let n = 0
    args.forEach((a, i) => {
      withSpec(a, inAxes[i]!, (leaf, axis) => {
        if (axis !== null) n = (leaf as Tensor).shape.at(axis)!
      })
    })
    const outs = Array.from({ length: n }, (_, e) =>
      f(
        ...(args.map((a, i) =>
          withSpec(a, inAxes[i]!, (l, ax) => (ax === null ? l : take(l as Tensor, ax, e))),
        ) as A),
      ),
    )
    // stack leaf by leaf: walk the first result, collecting the same place of every result
    const at = (t: unknown, path: readonly (string | number)[]): unknown =>
      path.reduce<unknown>((node, k) => (node as Record<string | number, unknown>)[k], t)
    const build = (node: unknown, spec: Spec, path: (string | number)[]): unknown => {
      if (typeof node === 'number' || node instanceof Tensor) {
        if (spec === null) return node
        return stackAt(
          outs.map((o) => at(o, path) as number | Tensor),
          spec as number,
        )
      }
      if (node === null || node === undefined) return node
      const sub = (k: string | number): Spec =>
        spec === null || typeof spec === 'number' ? spec : (spec as Record<string, Spec>)[k]!
      if (Array.isArray(node)) return node.map((c, i) => build(c, sub(i), [...path, i]))
      return Object.fromEntries(
        Object.entries(node as object).map(([k, c]) => [k, build(c, sub(k), [...path, k])]),
      )
    }
    return build(outs[0], outAxes, []) as B
  }

const [k1, k2, k3, k4] = random.split(random.key(17), 4) as [
  random.Key,
  random.Key,
  random.Key,
  random.Key,
]
/** Rank 3, the batch of 4 along axis 1 or −2: [2, 4, 3]. */
const R = random.normal(k1, [2, 4, 3])
/** A batch of 4 along the last axis: [3, 4]. */
const C = random.normal(k2, [3, 4])
const W = random.normal(k3, [3, 3])
const P = { w: random.normal(k4, [3, 4]), b: tensor([0.5, -1, 2]) }

/** Asserts vmap with these axes equals the loop (exactly, unless a tolerance is given). */
const agrees = <A extends unknown[], B>(
  f: (...args: A) => B,
  args: A,
  inAxes: readonly Spec[],
  outAxes: Spec = 0,
  rtol = 0,
) => {
  const batched = vmap(f, { inAxes: inAxes as never, outAxes: outAxes as never })(...args)
  expectTreeClose(batched, loop(f, inAxes, outAxes)(...args), rtol, rtol)
}

describe('inAxes: any axis, negative too', () => {
  const f = (x: Tensor) => sum(mul(sin(x), x), 0)
  it.each([1, -2])('axis %d of a rank-3 argument', (axis) => {
    agrees(f, [R], [axis])
    expect(vmap(f, { inAxes: axis })(R).shape).toEqual([4, 3])
  })

  it('the last axis, beside an argument batched along axis 0', () => {
    const g = (c: Tensor, r: Tensor) => add(c, sum(r, 0))
    const rows = random.normal(random.key(1), [4, 2, 3])
    agrees(g, [C, rows], [-1, 0])
    agrees(g, [C, rows], [1, 0], 1)
  })

  it('a number for every argument, null to pass one whole', () => {
    agrees((c: Tensor, w: Tensor) => matmul(w, c), [C, W], [1, null], 0, 1e-14)
    expect(vmap((a: Tensor, b: Tensor) => sub(a, b), { inAxes: 1 })(C, C).shape).toEqual([4, 3])
  })

  it('tree prefixes: an axis per subtree', () => {
    const model = (p: typeof P, x: Tensor) => add(mul(p.w, x), p.b)
    // w batched along its columns, b shared by every example, x along axis 0
    agrees(model, [P, random.normal(random.key(2), [4, 3])], [{ w: 1, b: null }, 0])
    agrees(model, [P, random.normal(random.key(2), [4, 3])], [{ w: -1, b: null }, 0], -1)
    const pairs = (xs: [Tensor, Tensor]) => mul(xs[0], xs[1])
    agrees(pairs, [[C, random.normal(random.key(3), [4, 3])]], [[1, 0]])
  })
})

describe('outAxes: per output, tree prefixes, null for unbatched outputs', () => {
  it('moves the batch axis of every output, or of each subtree', () => {
    const f = (x: Tensor) => ({ s: sin(x), t: [square(x), sum(x)] })
    const g = (x: Tensor) => ({ s: sin(x), t: [square(x), mul(x, 3)] })
    agrees(g, [R], [1], 1)
    agrees(g, [R], [1], -1)
    agrees(f, [R], [0], { s: 2, t: [0, 0] })
    agrees(f, [R], [0], { s: 1, t: -1 })
    expect(vmap(f, { inAxes: [0], outAxes: { s: -1, t: 0 } })(R).s.shape).toEqual([4, 3, 2])
  })

  it('is the inverse of inAxes: identity with the same axis gives the input back', () => {
    for (const axis of [0, 1, 2, -1]) {
      const same = vmap((x: Tensor) => x, { inAxes: [axis], outAxes: axis })(R)
      expect(same.shape).toEqual(R.shape)
      expect([...same.data]).toEqual([...R.data])
    }
  })

  it('null returns an output that does not depend on the batch as it is', () => {
    const f = (x: Tensor, w: Tensor) => [mul(x, 2), square(w)]
    const [xs, w2] = vmap(f, { inAxes: [0, null], outAxes: [0, null] })(C, W)
    expect(xs!.shape).toEqual([3, 4])
    expect([...w2!.data]).toEqual([...square(W).data])
    agrees(f, [C, W], [0, null], [1, null])
  })

  it('null for an output that depends on the batch is an InvalidArgumentError naming it', () => {
    const f = (x: Tensor) => ({ a: [x], b: 1 })
    expect(() => vmap(f, { outAxes: { a: null, b: 0 } })(C)).toThrow(InvalidArgumentError)
    expect(() => vmap(f, { outAxes: { a: null, b: 0 } })(C)).toThrow(
      /output\.a\[0\] depends on the batched arguments/,
    )
  })
})

describe('errors name the argument or output path', () => {
  const f = (p: typeof P) => p.w
  it('an axis out of range, or not an integer', () => {
    expect(() => vmap(f, { inAxes: [{ w: 2, b: null }] })(P)).toThrow(
      /inAxes 2 is out of range for argument 0\.w, of rank 2/,
    )
    expect(() => vmap(f, { inAxes: [{ w: -3, b: null }] })(P)).toThrow(InvalidArgumentError)
    expect(() => vmap(f, { inAxes: [{ w: 0.5, b: null }] })(P)).toThrow(/not an integer axis/)
    expect(() => vmap(sin, { outAxes: 2 })(C)).toThrow(/outAxes 2 is out of range for output/)
    expect(() => vmap(f, { inAxes: [{ w: '1', b: null }] as never })(P)).toThrow(
      /inAxes of argument 0\.w is '1'/,
    )
  })

  it('batch sizes that differ (ShapeError, both paths and axes)', () => {
    expect(() => vmap(f, { inAxes: [{ w: 1, b: 0 }] })(P)).toThrow(ShapeError)
    expect(() => vmap(f, { inAxes: [{ w: 1, b: 0 }] })(P)).toThrow(
      /argument 0\.w has 4 along axis 1, argument 0\.b has 3 along axis 0/,
    )
    expect(() => vmap((a: Tensor, b: Tensor) => add(a, b), { inAxes: [1, 0] })(C, C)).toThrow(
      /argument 0 has 4 along axis 1, argument 1 has 3 along axis 0/,
    )
  })

  it('a spec that is not a prefix of its tree (TreeMismatchError)', () => {
    expect(() => vmap(f, { inAxes: [[0, 0]] })(P)).toThrow(TreeMismatchError)
    expect(() => vmap(f, { inAxes: [{ w: 0 }] })(P)).toThrow(
      /keys \{w\} where the tree has keys \{w, b\}/,
    )
    expect(() => vmap(sin, { inAxes: [{ a: 0 }] })(C)).toThrow(TreeMismatchError)
    expect(() => vmap((x: Tensor) => [x, x], { outAxes: [0] })(C)).toThrow(
      /outAxes of output is not a prefix of output: an array of 1/,
    )
  })

  it('a scalar leaf batched, a wrong number of entries, nothing batched', () => {
    expect(() => vmap((a: number) => a)(3)).toThrow(/argument 0 is a scalar leaf/)
    expect(() => vmap(f, { inAxes: [0, 0] })(P)).toThrow(/2 entries for 1 arguments/)
    expect(() => vmap(f, { inAxes: [null] })(P)).toThrow(/no argument is batched/)
    expect(() => vmap(f, { inAxes: 'x' as never })(P)).toThrow(InvalidArgumentError)
  })
})

describe('composed with grad, jvp and jit, and nested', () => {
  it('grad of a vmap over columns, against the loop', () => {
    const loss = (c: Tensor) => sum(square(vmap((x: Tensor) => sin(sum(x)), { inAxes: 1 })(c)))
    const g = grad(loss)(C)
    // ∂/∂c[i,j] = 2·sin(s_j)·cos(s_j), with s_j the sum of column j
    const cols = [0, 1, 2, 3].map((j) => Array.from(take(C, 1, j).data).reduce((a, b) => a + b, 0))
    const expected = new Tensor(
      Float64Array.from(
        { length: 12 },
        (_, k) => 2 * Math.sin(cols[k % 4]!) * Math.cos(cols[k % 4]!),
      ),
      [3, 4],
    )
    expectTreeClose(g, expected, 1e-14, 1e-14)
  })

  it('per-example gradients with the examples as columns', () => {
    const loss = (w: Tensor, x: Tensor) => sum(square(matmul(w, x)))
    agrees(grad(loss), [W, C], [null, 1], 0, 1e-13)
    agrees(grad(loss), [W, C], [null, 1], 2, 1e-13)
  })

  it('jvp of vmap and vmap of jvp', () => {
    const f = (x: Tensor) => mul(sin(x), x)
    const batched = (x: Tensor) => vmap(f, { inAxes: 1, outAxes: 1 })(x)
    const dot = random.normal(random.key(4), [3, 4])
    const [y, yDot] = jvp(batched, [C], [dot])
    expectTreeClose(y, f(C), 1e-15, 0)
    const expected = C.data.map((c, k) => (Math.cos(c) * c + Math.sin(c)) * dot.data[k]!)
    expectTreeClose(yDot, new Tensor(expected, [3, 4]), 1e-15, 1e-15)
    expect(yDot.shape).toEqual([3, 4])
    const tangents = vmap((t: Tensor) => jvp(f, [C], [t])[1], { inAxes: 2 })(stackAt([dot, dot], 2))
    expect(tangents.shape).toEqual([2, 3, 4])
  })

  it('jit of vmap with axes replays the eager numbers, and vmap of jit', () => {
    const f = (p: typeof P, x: Tensor) => add(mul(p.w, x), p.b)
    const opts = { inAxes: [{ w: 1, b: null }, 0], outAxes: -1 } as const
    const xs = random.normal(random.key(5), [4, 3])
    const eager = vmap(f, opts)(P, xs)
    const compiled = jit(vmap(f, opts))
    expect([...compiled(P, xs).data]).toEqual([...eager.data])
    expect([...compiled(P, xs).data]).toEqual([...eager.data])
    expect([...vmap(jit(f), opts)(P, xs).data]).toEqual([...eager.data])
  })

  it('nested vmaps over different axes: all pairwise differences of columns and rows', () => {
    const A = random.normal(random.key(6), [3, 4])
    const B = random.normal(random.key(7), [5, 3])
    const diff = (a: Tensor, b: Tensor) => sum(square(sub(a, b)))
    const inner = vmap(diff, { inAxes: [null, 0] })
    const outer = vmap(inner, { inAxes: [1, null], outAxes: 1 })
    const d = outer(A, B)
    expect(d.shape).toEqual([5, 4])
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 5; j++) {
        const a = take(A, 1, i).data
        const b = take(B, 0, j).data
        const ref = Array.from(a).reduce((s, x, k) => s + (x - b[k]!) ** 2, 0)
        expect(Math.abs(d.data[j * 4 + i]! - ref)).toBeLessThanOrEqual(1e-14 * ref)
      }
    }
    agrees(inner, [A, B], [1, null], 1, 1e-15)
  })
})
