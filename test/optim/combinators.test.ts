/**
 * Combinators and tree-level transformations: `chain` (sequencing, tuple state, identity,
 * associativity), `clipByGlobalNorm` and `globalNorm`, `addDecayedWeights`, `trace`, the
 * `scaleBy*` blocks on their own, and `applyUpdates`.
 */
import {
  grad,
  InvalidArgumentError,
  jit,
  scalar,
  sum,
  type Tensor,
  TreeMismatchError,
  tensor,
} from 'fluxion'
import {
  addDecayedWeights,
  applyUpdates,
  chain,
  clipByGlobalNorm,
  type GradientTransformation,
  globalNorm,
  scaleByAdam,
  scaleByLearningRate,
  sgd,
  trace,
} from 'fluxion/optim'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { expectClose } from '../helpers.ts'

const run = (t: GradientTransformation, steps: readonly number[][], params?: number[]) => {
  let state = t.init(params ?? steps[0]!.map(() => 0))
  return steps.map((g) => {
    const [u, next] = t.update(g, state, params)
    state = next
    return u
  })
}

describe('chain', () => {
  it('feeds each transformation’s output to the next; the state is the tuple of states', () => {
    const opt = chain(clipByGlobalNorm(1), scaleByLearningRate(0.5))
    const state = opt.init([0, 0])
    expectTypeOf(state).toEqualTypeOf<
      readonly [Readonly<Record<string, never>>, { readonly count: number }]
    >()
    const [u, next] = opt.update([3, 4], state)
    expectClose(u, [-0.3, -0.4]) // clipped to [0.6, 0.8], then times −0.5
    expect(next[1]).toEqual({ count: 1 })
  })

  it('is the identity when empty, and associative', () => {
    const [u] = chain().update([1, 2], chain().init([0, 0]))
    expect(u).toEqual([1, 2])
    const a = () => trace({ decay: 0.5 })
    const b = () => scaleByAdam()
    const c = () => scaleByLearningRate(0.1)
    const grads = [
      [1, -2],
      [3, 0.5],
      [-1, 1],
    ]
    const nested = run(chain(a(), chain(b(), c())), grads)
    const flat = run(chain(a(), b(), c()), grads)
    expect(nested).toEqual(flat)
  })
})

describe('clipByGlobalNorm and globalNorm', () => {
  it('globalNorm is √(Σ over all leaves of Σ x²)', () => {
    expect(globalNorm({ a: tensor([3]), b: 4 })).toBe(5)
    expect(
      globalNorm([
        tensor([
          [1, 2],
          [2, 4],
        ]),
        scalar(0),
      ]),
    ).toBe(5)
  })

  it('rescales the whole tree to maxNorm when longer, keeping its direction', () => {
    const clip = clipByGlobalNorm(1)
    const [u] = clip.update({ a: tensor([3]), b: 4 }, clip.init({ a: tensor([0]), b: 0 }))
    expectClose(u.a, tensor([0.6]))
    expectClose(u.b, 0.8)
  })

  it('leaves shorter updates unchanged', () => {
    const clip = clipByGlobalNorm(10)
    const g = { a: tensor([3]), b: 4 }
    expect(clip.update(g, clip.init(g))[0]).toBe(g)
  })

  it('needs maxNorm > 0', () => {
    expect(() => clipByGlobalNorm(0)).toThrow(InvalidArgumentError)
  })

  it('finds norms whose squares over- or underflow, in each leaf’s dtype', () => {
    expectClose(globalNorm([3e200, tensor([4e200])]), 5e200)
    expectClose(globalNorm(tensor([3e-200, 4e-200])), 5e-200)
    expectClose(globalNorm({ w: tensor([3e19, 4e19], { dtype: 'float32' }), b: 0 }), 5e19, 1e-6)
    expect(globalNorm([tensor([]), 0])).toBe(0)
    expect(globalNorm([Number.POSITIVE_INFINITY, 1])).toBe(Number.POSITIVE_INFINITY)
    expect(globalNorm([Number.NaN, 1])).toBeNaN()
    // an exploding gradient is clipped to maxNorm, its direction kept (was scaled to 0)
    const clip = clipByGlobalNorm(1)
    const [u] = clip.update(tensor([3e19, 4e19], { dtype: 'float32' }), clip.init(tensor([0, 0])))
    expect(u.dtype).toBe('float32')
    expectClose(u, tensor([0.6, 0.8]), 1e-6)
    expectClose(clip.update([3e155, 4e155], clip.init([0, 0]))[0], [0.6, 0.8])
  })

  it('differentiates through the norm (as optax), eagerly and under jit', () => {
    const clip = clipByGlobalNorm(1)
    const clipped = (g: Tensor) => sum(clip.update(g, clip.init(g))[0])
    // d/dgᵢ Σⱼ gⱼ/‖g‖ = 1/‖g‖ − gᵢ·Σg/‖g‖³ when clipped; 1 when not
    const g = tensor([3, 4])
    const expected = tensor([1 / 5 - (3 * 7) / 125, 1 / 5 - (4 * 7) / 125])
    expectClose(grad(clipped)(g), expected)
    const jitted = jit(grad(clipped))
    expectClose(jitted(tensor([0.3, 0.4])), tensor([1, 1]))
    expectClose(jitted(g), expected)
    // at 0 the norm's derivative is infinite, and unclipped updates do not see it
    expectClose(jitted(tensor([0, 0])), tensor([1, 1]))
  })
})

describe('addDecayedWeights', () => {
  it('adds λ·θ to the update, leaf by leaf', () => {
    const decay = addDecayedWeights(0.1)
    const [u] = decay.update([1, 1], decay.init([0, 0]), [5, -10])
    expect(u).toEqual([1.5, 0])
  })

  it('with sgd: θ ← θ − η(g + λθ)', () => {
    const opt = chain(addDecayedWeights(0.5), sgd(0.1))
    const params = [2]
    const [u] = opt.update([1], opt.init(params), params)
    expectClose(u, [-0.1 * (1 + 0.5 * 2)])
  })

  it('needs params and λ ≥ 0', () => {
    const decay = addDecayedWeights(0.1)
    expect(() => decay.update([1], decay.init([0]))).toThrow(/needs the parameters/)
    expect(() => addDecayedWeights(-1)).toThrow(InvalidArgumentError)
  })
})

describe('trace and scaleByAdam on their own', () => {
  it('trace is momentum without a learning rate', () => {
    expect(run(trace({ decay: 0.5 }), [[2], [2], [2]])).toEqual([[2], [3], [3.5]])
    expect(run(trace({ decay: 0.5, nesterov: true }), [[2], [2]])).toEqual([[3], [3.5]])
  })

  it('scaleByAdam is Adam’s direction m̂/(√v̂ + ε), before the rate', () => {
    const [u] = run(scaleByAdam({ eps: 0 }), [[-7]])
    expectClose(u!, [-1])
  })
})

describe('applyUpdates', () => {
  it('adds updates to parameters leaf by leaf, keeping the tree', () => {
    const p = { w: tensor([1, 2]), layers: [{ b: 3 }] }
    const out = applyUpdates(p, { w: tensor([0.5, -1]), layers: [{ b: -3 }] })
    expect(out.w.toArray()).toEqual([1.5, 1])
    expect(out.layers[0]!.b).toBe(0)
    expect(p.w.toArray()).toEqual([1, 2]) // nothing mutated
  })

  it('refuses trees of another structure or leaf shape', () => {
    expect(() => applyUpdates({ w: tensor([1, 2]) }, { w: tensor([1]) })).toThrow(TreeMismatchError)
    expect(() => applyUpdates([1, 2], [1])).toThrow(TreeMismatchError)
  })
})
