/**
 * Inputs are never mutated and outputs never alias the inputs' storage (issue "Reliability",
 * item 4), as properties:
 * - every primitive in the registry, at points sampled from its own domain and applied through
 *   `bindN` (the door every op passes), and under `jvp`, `vjp` and `vmap` of that call;
 * - every transformation (`grad valueAndGrad jvp vjp linearize jacfwd jacrev hessian hvp vmap jit`)
 *   on random tensors, with functions that return their argument unchanged — the case where a
 *   result is most tempted to share storage.
 *
 * The documented exceptions are pinned at the end: a structural op that changes nothing
 * (`reshape` to the same shape, the identity `transpose`, …) returns its argument itself. That
 * is safe because tensors are immutable; it is listed in docs/guide/errors.md.
 */
import fc, { type GeneratorValue } from 'fast-check'
import * as F from 'fluxion'
import {
  add,
  broadcastTo,
  expandDims,
  flatten,
  grad,
  hessian,
  hvp,
  jacfwd,
  jacrev,
  jit,
  jvp,
  linearize,
  mul,
  reshape,
  squeeze,
  sum,
  Tensor,
  tensor,
  transpose,
  treeLeaves,
  valueAndGrad,
  vjp,
  vmap,
} from 'fluxion'
import { describe, expect, it } from 'vitest'
import { drawFrom } from '../../laws/draw.ts'
import { bindN } from '../../src/core/bind.ts'
import type { Draw } from '../../src/core/primitive.ts'
import type { Val } from '../../src/core/tracer.ts'
import { primitiveNames, primitives } from '../../src/primitives/registry.ts'

/** Every tensor among the leaves of `tree` (numbers have no storage to share). */
const tensorsIn = (tree: unknown): Tensor[] =>
  treeLeaves(tree).filter((l): l is Tensor => l instanceof Tensor)

/** A bit-exact copy of every tensor's values (NaN and −0 included) and the tree's structure. */
const snapshot = (tree: unknown): { structure: string; data: number[][] } => ({
  structure: JSON.stringify(tree, (_k, v: unknown) => (v instanceof Tensor ? `T${v.shape}` : v)),
  data: tensorsIn(tree).map((t) => Array.from(t.data)),
})

const sameBits = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((x, i) => Object.is(x, b[i]))

/** Asserts that `tree` still matches `before`, value by value. */
const expectUnchanged = (tree: unknown, before: ReturnType<typeof snapshot>, what: string) => {
  const after = snapshot(tree)
  expect(after.structure, `${what}: structure`).toBe(before.structure)
  after.data.forEach((d, i) => {
    expect(sameBits(d, before.data[i]!), `${what}: tensor ${i} was mutated`).toBe(true)
  })
}

/** Asserts that no tensor of `outputs` shares its storage with a tensor of `inputs`. */
const expectFresh = (outputs: unknown, inputs: unknown, what: string) => {
  const buffers = new Set(tensorsIn(inputs).map((t) => t.data.buffer))
  tensorsIn(outputs).forEach((t, i) => {
    expect(buffers.has(t.data.buffer), `${what}: output tensor ${i} aliases an input`).toBe(false)
  })
}

/** A value shaped like `v` with entries in [−1, 1], as fresh storage. */
const like = (draw: Draw, v: Val): Val => {
  if (typeof v === 'number') return draw.real(-1, 1)
  const t = v as Tensor
  return new Tensor(
    Float64Array.from(t.data, () => draw.real(-1, 1)),
    t.shape,
  )
}

const runs = { numRuns: 40 }

describe.each(primitiveNames)('primitive %s', (name) => {
  const p = primitives[name]

  it('leaves its inputs untouched and returns fresh storage', () => {
    fc.assert(
      fc.property(fc.gen(), (g: GeneratorValue) => {
        const { args, params } = p.domain.sample(drawFrom(g))
        const before = snapshot(args)
        const out = bindN(p, args, params)
        expectUnchanged(args, before, name)
        expectFresh(out, args, name)
        if (out instanceof Tensor) for (const a of args) expect(out).not.toBe(a)
      }),
      runs,
    )
  })

  it('under jvp and vjp: primals, tangents and cotangents untouched, results fresh', () => {
    fc.assert(
      fc.property(fc.gen(), (g: GeneratorValue) => {
        const draw = drawFrom(g)
        const { args: all, params } = p.domain.sample(draw)
        // the domain's fixed (non-differentiable) arguments are closed over, as in the laws
        const fixed = p.domain.fixed ?? []
        const args = all.filter((_, i) => !fixed.includes(i))
        const f = (...xs: Val[]) => {
          const full = all.slice() as Val[]
          let next = 0
          for (let i = 0; i < full.length; i++) if (!fixed.includes(i)) full[i] = xs[next++]!
          return bindN(p, full, params)
        }
        const tangents = args.map((a) => like(draw, a))
        const inputs = [all, tangents]
        const before = snapshot(inputs)
        const [y, yDot] = jvp(f as (...xs: unknown[]) => unknown, args.slice(), tangents)
        expectUnchanged(inputs, before, `jvp ${name}`)
        expectFresh([y, yDot], inputs, `jvp ${name}`)
        const [out, pullback] = vjp(f as (...xs: unknown[]) => unknown, ...args)
        const yBar = like(draw, out as Val)
        const beforeBar = snapshot([all, yBar])
        const xBars = pullback(yBar as never)
        expectUnchanged([all, yBar], beforeBar, `vjp ${name}`)
        expectFresh([out, xBars], [all, yBar], `vjp ${name}`)
      }),
      runs,
    )
  })

  it('under vmap: the batch untouched, the result fresh', () => {
    fc.assert(
      fc.property(fc.gen(), (g: GeneratorValue) => {
        const { args, params } = p.domain.sample(drawFrom(g))
        // a batch of two copies of the sampled example, every argument batched
        const batch = args.map((a) =>
          typeof a === 'number'
            ? tensor([a, a])
            : new Tensor(Float64Array.of(...a.data, ...a.data), [2, ...a.shape]),
        )
        const before = snapshot(batch)
        const out = vmap((...xs: Val[]) => bindN(p, xs, params))(...batch)
        expectUnchanged(batch, before, `vmap ${name}`)
        expectFresh(out, batch, `vmap ${name}`)
      }),
      runs,
    )
  })
})

// ---- transformations --------------------------------------------------------------------------

/** A random tensor: rank 0–3, sizes 1–4, entries in [−2, 2]. */
const tensorArb = fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 3 }).chain((shape) =>
  fc
    .array(fc.double({ min: -2, max: 2, noNaN: true }), {
      minLength: shape.reduce((n, d) => n * d, 1),
      maxLength: shape.reduce((n, d) => n * d, 1),
    })
    .map((values) => tensor(values, shape)),
)

const identity = (x: Tensor) => x
const asTree = (x: Tensor) => ({ same: x, twice: [x, x] })
const scalarOf = (x: Tensor) => sum(mul(x, x))

describe('transformations never mutate their inputs or alias them in their results', () => {
  const cases: readonly (readonly [string, (x: Tensor, v: Tensor) => unknown])[] = [
    ['grad', (x) => grad(scalarOf)(x)],
    [
      'grad with aux returning x',
      (x) => grad((y: Tensor) => [scalarOf(y), x] as const, { hasAux: true })(x),
    ],
    ['valueAndGrad', (x) => valueAndGrad(scalarOf)(x)],
    ['jvp of the identity', (x, v) => jvp(identity, [x], [v])],
    ['jvp of a tree of x', (x, v) => jvp(asTree, [x], [v])],
    ['jvp of x + 0', (x, v) => jvp((y: Tensor) => add(y, 0), [x], [v])],
    [
      'vjp of the identity, and its pullback',
      (x, v) => {
        const [y, pullback] = vjp(identity, x)
        return [y, pullback(v)]
      },
    ],
    [
      'vjp of x + 0, and its pullback',
      (x, v) => {
        const [y, pullback] = vjp((z: Tensor) => add(z, 0), x)
        return [y, pullback(v)]
      },
    ],
    [
      'vjp of a tree of x',
      (x, v) => {
        const [y, pullback] = vjp(asTree, x)
        return [y, pullback({ same: v, twice: [v, v] })]
      },
    ],
    [
      'linearize of the identity',
      (x, v) => {
        const [y, push] = linearize(identity, x)
        return [y, push(v)]
      },
    ],
    ['jacfwd of the identity', (x) => jacfwd(identity)(x)],
    ['jacrev of the identity', (x) => jacrev(identity)(x)],
    ['hessian', (x) => hessian(scalarOf)(x)],
    ['hvp', (x, v) => hvp(scalarOf)(x, v)],
    ['vmap of the identity', (x) => vmap(identity)(expandDims(x, 0))],
    ['vmap of a tree of x', (x) => vmap(asTree)(expandDims(x, 0))],
    // traced on the first call, replayed on the second: both must leave x alone
    ['jit of the identity', (x) => [jit(identity)(x), jit(identity)(x)]],
    [
      'jit of a tree of x, replayed',
      (x) => {
        const f = jit(asTree)
        return [f(x), f(x)]
      },
    ],
    [
      'jit of a pullback, replayed',
      (x, v) => {
        const f = jit((z: Tensor, w: Tensor) => vjp(identity, z)[1](w))
        return [f(x, v), f(x, v)]
      },
    ],
  ]

  it.each(cases)('%s', (label, run) => {
    fc.assert(
      fc.property(tensorArb, (x) => {
        // a tangent or cotangent of x's shape, in storage of its own
        const v = new Tensor(
          Float64Array.from(x.data, (_, i) => 0.5 - i / 8),
          x.shape,
        )
        const inputs = [x, v]
        const before = snapshot(inputs)
        const out = run(x, v)
        expectUnchanged(inputs, before, label)
        // a tensor in aux is passed through as given: data, not a derivative
        expectFresh(label.includes('aux') ? (out as unknown[])[0] : out, inputs, label)
      }),
      runs,
    )
  })

  it('argument trees (arrays, objects) are not mutated either', () => {
    const tree = { w: tensor([1, 2]), layers: [{ b: 3 }, { b: tensor([[4]]) }] }
    const keys = JSON.stringify(tree)
    const before = snapshot(tree)
    const f = (p: typeof tree) =>
      add(sum(mul(p.w, p.w)), add(mul(p.layers[0]!.b, 2), sum(p.layers[1]!.b as Tensor)))
    grad(f)(tree)
    jvp(f, [tree], [tree])
    vjp(f, tree)[1](1)
    jacrev(f)(tree)
    expect(JSON.stringify(tree)).toBe(keys)
    expectUnchanged(tree, before, 'tree')
  })
})

describe('regressions', () => {
  it('cast of a rank-0 tensor to a tensor returned the same tensor', () => {
    const x = tensor(2)
    const y = bindN(primitives.cast, [x], { to: 'tensor' })
    expect(y).not.toBe(x)
    expect((y as Tensor).data.buffer).not.toBe(x.data.buffer)
  })

  it('jvp of a function that passes its argument through returned the tangent itself', () => {
    const x = tensor([1, 2])
    const t = tensor([3, 4])
    const [y, yDot] = jvp((v: Tensor) => add(v, 0), [x], [t])
    expect(yDot).not.toBe(t)
    expect(yDot.data.buffer).not.toBe(t.data.buffer)
    expect(jvp(identity, [x], [t])[0]).not.toBe(x)
    expect(y.toArray()).toEqual([1, 2])
  })

  it('the pullback of add returned the cotangent it was given', () => {
    const ct = tensor([1, 1])
    const [, pullback] = vjp((v: Tensor) => add(v, 0), tensor([1, 2]))
    const [xBar] = pullback(ct)
    expect(xBar).not.toBe(ct)
    expect(xBar.toArray()).toEqual([1, 1])
  })

  it('a customVjp whose bwd returns its residual gave a gradient aliasing the input', () => {
    const x = tensor([1, 2])
    const f = F.customVjp(
      (v: Tensor) => sum(v),
      (v: Tensor) => [sum(v), v] as const,
      (res: Tensor, _g: number | Tensor) => [res] as const,
    )
    const g = grad(f)(x)
    expect(g.data.buffer).not.toBe(x.data.buffer)
    expect(g.toArray()).toEqual([1, 2])
  })
})

describe('documented exceptions: structural no-ops return their argument itself', () => {
  // safe because tensors are immutable; docs/guide/errors.md lists these
  const x = tensor([
    [1, 2],
    [3, 4],
  ])
  it('reshape to the same shape, the identity transpose, broadcastTo the same shape', () => {
    expect(reshape(x, [2, 2])).toBe(x)
    expect(transpose(x, [0, 1])).toBe(x)
    expect(broadcastTo(x, [2, 2])).toBe(x)
    expect(squeeze(x)).toBe(x)
    const v = tensor([1, 2])
    expect(flatten(v)).toBe(v)
  })

  it('anything that changes the shape or the values is fresh', () => {
    for (const y of [reshape(x, [4]), transpose(x), broadcastTo(x, [1, 2, 2]), expandDims(x, 0)]) {
      expect(y.data.buffer).not.toBe(x.data.buffer)
    }
  })
})
