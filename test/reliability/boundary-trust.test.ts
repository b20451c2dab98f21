/**
 * Issue #12 §6, crashes and bare errors at the boundary: each repro of the issue, as a
 * regression test. Every case ends in the right result or a named `FluxionError` — never a bare
 * `TypeError` or `RangeError`, a hang, or a dead process.
 *
 * 1. an async function under a transformation: the refusal is the end of it (no unhandled
 *    rejection from its continuation, checked in a child process);
 * 2. arrays with holes: one named error everywhere, naming the path of the hole;
 * 3. trees nested 10⁴ levels deep: walked without recursion;
 * 4. primitive records: frozen, and no longer exported from the package root;
 * 5. messages that named the wrong thing; `max`/`min` of nothing.
 */
import * as fluxion from 'fluxion'
import {
  checkpoint,
  concat,
  FluxionError,
  grad,
  hessian,
  InvalidArgumentError,
  jacfwd,
  jacrev,
  jit,
  jvp,
  linearize,
  logSumExp,
  max,
  mean,
  min,
  mul,
  prod,
  random,
  ShapeError,
  stack,
  sum,
  type Tensor,
  TreeMismatchError,
  tensor,
  treeLeaves,
  treeMap,
  valueAndGrad,
  vjp,
  vmap,
  zeros,
} from 'fluxion'
import { adam, applyUpdates, chain, cosineDecay, sgd, trace, train, trainStep } from 'fluxion/optim'
import { afterAll, describe, expect, it } from 'vitest'
import { primitives } from '../../src/primitives/registry.ts'
import {
  expectNamed,
  fluxionUrl,
  runChild,
  scratchDir,
  sumOfSquares,
  transformations,
} from './helpers.ts'

type Loose = (...args: readonly unknown[]) => unknown
const loose = (f: unknown): Loose => f as Loose

// ---- 1. async functions ------------------------------------------------------------------------

describe('async functions: the InvalidArgumentError is the end of it', () => {
  const scratch = scratchDir('fluxion-async-')
  afterAll(scratch.dispose)

  it('no transformation leaves an unhandled rejection behind (child process exits 0)', () => {
    // the continuation after `await` runs once the transformation has returned: it uses a dead
    // tracer and rejects. Unhandled, that rejection would make Node exit with code 1.
    const body = `
import * as F from '${fluxionUrl}'
const { grad, valueAndGrad, jvp, vjp, vjpWithAux, linearize, jacfwd, jacrev, hessian, hvp, vmap,
  jit, derivative, checkpoint, customJvp, customVjp, mul, tensor, InvalidArgumentError } = F
let continued = 0
const f = async (x: number) => { await null; continued++; return mul(x, x) }
const g = async (x: number) => { await null; continued++; return [mul(x, x), 0] }
// customVjp's forward rule may run instead of f: async too
const fwd = async (x: number) => { await null; continued++; return [mul(x, x), null] }
const runs: [string, () => unknown][] = [
  ['grad', () => grad(f as never)(2)],
  ['grad hasAux', () => grad(g as never, { hasAux: true })(2)],
  ['valueAndGrad', () => valueAndGrad(f as never)(2)],
  ['jvp', () => jvp(f as never, [2], [1])],
  ['jvp hasAux', () => jvp(g as never, [2], [1], { hasAux: true })],
  ['vjp', () => vjp(f as never, 2)],
  ['vjpWithAux', () => vjpWithAux(g as never, 2)],
  ['linearize', () => linearize(f as never, 2)],
  ['jacfwd', () => jacfwd(f as never)(2)],
  ['jacrev', () => jacrev(f as never)(2)],
  ['hessian', () => hessian(f as never)(2)],
  ['hvp', () => hvp(f as never)(2, 1)],
  ['vmap', () => vmap(f as never)(tensor([1, 2]))],
  ['jit', () => jit(f as never)(2)],
  ['jit of grad', () => jit(grad(f as never))(2)],
  ['derivative', () => derivative(f as never, 3)(2)],
  ['grad of checkpoint', () => grad(checkpoint(f as never))(2)],
  ['grad of customJvp', () => grad(customJvp(f as never, ([x], [d]) => [x, d]))(2)],
  ['jvp of customVjp', () => jvp(customVjp(f as never, fwd as never, (_r, c) => [c]), [2], [1])],
]
// each call's outcome: 'refused' is the named error about the Promise
const outcomes: Record<string, string> = {}
for (const [name, run] of runs) {
  try {
    run()
    outcomes[name] = 'returned'
  } catch (e) {
    const refused = e instanceof InvalidArgumentError && /Promise/.test(e.message)
    outcomes[name] = refused ? 'refused' : String(e)
  }
}
// let every continuation run (and reject) before the process may exit
const settle = (n: number): void => {
  if (n > 0) setTimeout(() => settle(n - 1), 10)
  else console.log(JSON.stringify({ outcomes, continued }))
}
settle(5)
`
    const out = runChild<{ outcomes: Record<string, string>; continued: number }>(
      scratch.dir,
      'async',
      body,
      [],
    )
    for (const [name, outcome] of Object.entries(out.outcomes))
      expect(outcome, name).toBe('refused')
    expect(Object.keys(out.outcomes).length).toBe(19)
    // the continuations did run: the test would have seen their rejections
    expect(out.continued).toBeGreaterThan(0)
  })

  it('a returned thenable gets a rejection handler before the error is thrown', () => {
    let onRejected: unknown
    const thenable = {
      // biome-ignore lint/suspicious/noThenProperty: a thenable is the point
      then(_ok: unknown, fail: unknown) {
        onRejected = fail
      },
    }
    const f = loose(() => thenable) as (x: number) => number
    const e = expectNamed(() => grad(f)(1), InvalidArgumentError)
    expect(e.message).toMatch(/returned a Promise/)
    expect(typeof onRejected).toBe('function')
  })

  it('a thenable whose then throws is still the named error', () => {
    const f = loose(() => ({
      // biome-ignore lint/suspicious/noThenProperty: a hostile thenable is the point
      then() {
        throw new Error('hostile then')
      },
    })) as (x: number) => number
    expectNamed(() => grad(f)(1), InvalidArgumentError)
    expectNamed(() => jvp(f, [1], [1]), InvalidArgumentError)
  })
})

// ---- 2. holes ----------------------------------------------------------------------------------

describe('arrays with holes: an InvalidArgumentError naming the hole, everywhere', () => {
  // biome-ignore lint/suspicious/noSparseArray: the hole is the point
  const holey = (): unknown => [1, , 2]

  it.each(transformations)('%s', (name, run) => {
    const e = expectNamed(() => run(holey()), InvalidArgumentError, name)
    expect(e.message).toMatch(/\[1\] is a hole in a sparse array/)
  })

  it('the message names the path of the hole, at any depth and after a tensor', () => {
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point
    const tree = { w: tensor([1, 2]), layers: [{ b: [tensor([1]), , 3] }] }
    const e = expectNamed(() => grad(sumOfSquares)(tree), InvalidArgumentError)
    expect(e.message).toMatch(/^argument 0\.layers\[0\]\.b\[1\] is a hole in a sparse array/)
    expect(e.hint).toMatch(/null or undefined/)
  })

  it('grad, valueAndGrad, hessian and grad(checkpoint(f)) name argument 0', () => {
    for (const run of [
      () => grad(sumOfSquares)(holey()),
      () => valueAndGrad(sumOfSquares)(holey()),
      () => hessian(sumOfSquares)(holey()),
      () => grad(checkpoint(sumOfSquares))(holey()),
    ]) {
      expect(expectNamed(run, InvalidArgumentError).message).toMatch(/^argument 0\[1\] is a hole/)
    }
  })

  it('tangents and cotangents with holes', () => {
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point
    const tangent = [1, , 2]
    const e = expectNamed(() => jvp(sumOfSquares, [[1, null, 2]], [tangent]), InvalidArgumentError)
    expect(e.message).toMatch(/tangents\[0\]\[1\] is a hole/)
    const [, pullback] = vjp((x: number[]) => x, [1, 2, 3])
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point
    expectNamed(() => pullback([1, , 3] as number[]), InvalidArgumentError)
  })

  it('concat and stack', () => {
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point
    const xs = [tensor([1]), , tensor([2])] as Tensor[]
    for (const op of [concat, stack]) {
      const e = expectNamed(() => op(xs), InvalidArgumentError, op.name)
      expect(e.message).toMatch(/argument 0\[1\] is a hole in a sparse array/)
      expect(e.primitive).toBe(op.name)
    }
  })

  it('a stored undefined is not a hole: it is an empty subtree, as before', () => {
    const g = grad(sumOfSquares)([1, undefined, 2]) as unknown[]
    expect(g).toEqual([2, undefined, 4])
    expect(Object.hasOwn(g, 1)).toBe(true)
  })

  it('a sparse array of length 10⁹ fails at its first hole, at once', () => {
    const sparse: number[] = [1]
    sparse.length = 1e9
    const started = performance.now()
    expectNamed(() => grad(sumOfSquares)(sparse), InvalidArgumentError)
    expectNamed(() => jit(sumOfSquares)(sparse), InvalidArgumentError)
    expect(performance.now() - started).toBeLessThan(1000)
  })

  it('holes in aux stay holes (aux is passed through, not a tree)', () => {
    const f = (x: number) => {
      // biome-ignore lint/suspicious/noSparseArray: the hole is the point
      const aux = [x, , 'tag']
      return [mul(x, x), aux] as const
    }
    const [g, aux] = grad(f, { hasAux: true })(3)
    expect(g).toBe(6)
    expect(aux.length).toBe(3)
    expect(Object.hasOwn(aux, 1)).toBe(false)
    expect(aux[0]).toBe(3)
    expect(aux[2]).toBe('tag')
  })
})

// ---- 3. deep trees -----------------------------------------------------------------------------

const DEPTH = 10_000

/** `leaf` nested `depth` levels deep, alternating arrays and objects. */
const deepTree = (leaf: unknown, depth = DEPTH): unknown => {
  let t = leaf
  for (let i = 0; i < depth; i++) t = i % 2 === 0 ? [t] : { a: t }
  return t
}

/** The leaf at the bottom of `deepTree`'s structure, walked without recursion. */
const bottom = (t: unknown, depth = DEPTH): unknown => {
  let x = t
  for (let i = depth - 1; i >= 0; i--) {
    if (i % 2 === 0) {
      expect(Array.isArray(x), `level ${i}`).toBe(true)
      x = (x as unknown[])[0]
    } else {
      x = (x as { a: unknown }).a
    }
  }
  return x
}

describe('trees nested 10⁴ levels deep: walked without recursion', () => {
  it('grad, valueAndGrad, vjp and linearize return the gradient at the bottom', () => {
    const tree = deepTree(3)
    expect(bottom(grad(sumOfSquares)(tree))).toBe(6)
    const [v, g] = valueAndGrad(sumOfSquares)(tree)
    expect(v).toBe(9)
    expect(bottom(g)).toBe(6)
    const [y, pullback] = vjp(sumOfSquares, tree)
    expect(y).toBe(9)
    expect(bottom(pullback(1)[0])).toBe(6)
    const [, push] = linearize(sumOfSquares, tree)
    expect(push(deepTree(1))).toBe(6)
  })

  it('jvp with deep primals and tangents; deep outputs', () => {
    expect(jvp(sumOfSquares, [deepTree(3)], [deepTree(1)])).toEqual([9, 6])
    // the identity: a deep output tree, flattened and rebuilt
    const [out, outDot] = jvp((t: unknown) => t, [deepTree(3)], [deepTree(1)])
    expect(bottom(out)).toBe(3)
    expect(bottom(outDot)).toBe(1)
    const [, pullback] = vjp((t: unknown) => t, deepTree(3))
    expect(bottom(pullback(deepTree(2))[0])).toBe(2)
  })

  it('jacfwd, jacrev, hessian, vmap, jit (traced and replayed), checkpoint, treeMap', () => {
    expect(bottom(jacfwd(sumOfSquares)(deepTree(3)))).toBe(6)
    expect(bottom(jacrev(sumOfSquares)(deepTree(3)))).toBe(6)
    expect(bottom(bottom(hessian(sumOfSquares)(deepTree(3))))).toBe(2)
    expect((vmap(sumOfSquares)(deepTree(tensor([1, 2]))) as Tensor).toArray()).toEqual([1, 4])
    const compiled = jit(sumOfSquares)
    expect(compiled(deepTree(3))).toBe(9)
    expect(compiled(deepTree(4))).toBe(16)
    expect(bottom(grad(checkpoint(sumOfSquares))(deepTree(3)))).toBe(6)
    expect(bottom(treeMap((x) => mul(2, x), deepTree(3)))).toBe(6)
    expect(treeLeaves(deepTree(5, 100_000))).toEqual([5])
  })

  it('deep aux comes back stripped of traced values', () => {
    const f = (x: number) => [mul(x, x), deepTree(x)] as const
    const [g, aux] = grad(f, { hasAux: true })(3)
    expect(g).toBe(6)
    const leaf = bottom(aux)
    expect(leaf).toBe(3)
    expect(mul(leaf as number, 2)).toBe(6)
  })

  it('a cycle at the bottom of a deep tree is the named error', () => {
    const top: unknown[] = []
    let at = top
    for (let i = 0; i < DEPTH; i++) {
      const next: unknown[] = []
      at.push(next)
      at = next
    }
    at.push(top)
    for (const [name, run] of transformations) {
      expect(expectNamed(() => run(top), InvalidArgumentError, name).message).toMatch(
        /contains itself/,
      )
    }
  })

  it('a mismatch deep down names its path', () => {
    const e = expectNamed(
      () => jvp(sumOfSquares, [deepTree(3, 4)], [deepTree(tensor([1]), 4)]),
      TreeMismatchError,
    )
    expect(e.message).toMatch(/at tangents\[0\]\.a\[0\]\.a\[0\]: shape \[1\] instead of \[\]/)
  })
})

// ---- reading a tree that throws -----------------------------------------------------------------

describe('trees whose reading throws: getters, Proxies', () => {
  it('a getter that throws is an InvalidArgumentError naming the path, its error the cause', () => {
    const boom = new Error('boom')
    const tree = {
      w: 1,
      get b(): number {
        throw boom
      },
    }
    for (const [name, run] of transformations) {
      const e = expectNamed(() => run(tree), InvalidArgumentError, name)
      expect(e.message, name).toMatch(/\.b threw Error: boom/)
      expect((e as Error & { cause?: unknown }).cause, name).toBe(boom)
    }
  })

  it('a revoked Proxy is an InvalidArgumentError', () => {
    const { proxy, revoke } = Proxy.revocable({ w: 1 }, {})
    revoke()
    for (const [name, run] of transformations) {
      expectNamed(() => run({ inner: proxy }), InvalidArgumentError, name)
      expectNamed(() => run(proxy), InvalidArgumentError, name)
    }
  })

  it('a Proxy of plain data and frozen trees are trees like any other', () => {
    const proxy = new Proxy({ w: 2, b: [3] }, {})
    expect(grad(sumOfSquares)(proxy)).toEqual({ w: 4, b: [6] })
    const frozen = Object.freeze({ w: Object.freeze([1, 2]), t: tensor([3]) })
    const g = grad(sumOfSquares)(frozen) as { w: number[]; t: Tensor }
    expect(g.w).toEqual([2, 4])
    expect(g.t.toArray()).toEqual([6])
    expect((jit(sumOfSquares)(frozen) as Tensor).item()).toBe(14)
  })

  it('a getter in aux that throws is an InvalidArgumentError', () => {
    const f = (x: number) => {
      const aux = {
        get bad(): number {
          throw new Error('aux getter')
        },
      }
      return [mul(x, x), aux] as const
    }
    expectNamed(() => grad(f, { hasAux: true })(3), InvalidArgumentError)
  })
})

// ---- 4. primitive records ----------------------------------------------------------------------

describe('primitive records are frozen and internal', () => {
  it('every record, and its domain, is frozen', () => {
    for (const p of Object.values(primitives)) {
      expect(Object.isFrozen(p), p.name).toBe(true)
      expect(Object.isFrozen(p.domain), p.name).toBe(true)
    }
    // a module is strict code: writing to a frozen object throws
    const sinP = primitives.sin
    expect(() => {
      ;(sinP as { name: string }).name = 'x); globalThis.pwned = (1'
    }).toThrow(TypeError)
    expect(sinP.name).toBe('sin')
  })

  it('the package root exports no primitive record and no internal helper', () => {
    const names = Object.keys(fluxion)
    expect(names.filter((n) => /P$/.test(n))).toEqual([])
    expect(names).not.toContain('conformKind')
    // the public ops are still there
    for (const op of ['sin', 'concat', 'max', 'matmul', 'where', 'pad', 'atan2']) {
      expect(names).toContain(op)
    }
  })
})

// ---- 5. messages and empty reductions ----------------------------------------------------------

describe('messages name the right thing', () => {
  const square = (x: number) => mul(x, x)

  it('grad(f)() says the function was called with no arguments', () => {
    for (const build of [grad, valueAndGrad, jacfwd, jacrev, hessian]) {
      const e = expectNamed(() => loose(loose(build)(square))(), InvalidArgumentError, build.name)
      expect(e.message).toMatch(/called with no arguments/)
      expect(e.hint).not.toMatch(/-1/)
    }
  })

  it('hasAux must be a boolean; options must be an object', () => {
    const pair = (x: number) => [mul(x, x), 'aux'] as const
    for (const hasAux of ['yes', 1, null, {}]) {
      const e = expectNamed(
        () => loose(grad)(pair, { hasAux }),
        InvalidArgumentError,
        `hasAux ${String(hasAux)}`,
      )
      expect(e.message).toMatch(/hasAux must be true or false/)
      expectNamed(() => loose(valueAndGrad)(pair, { hasAux }), InvalidArgumentError)
    }
    // JAX's positional argnums
    for (const build of [grad, valueAndGrad, jacfwd, jacrev, hessian]) {
      const e = expectNamed(() => loose(build)(square, 1), InvalidArgumentError, build.name)
      expect(e.message).toMatch(/options of .* must be an object/)
      expect(e.hint).toMatch(/argnums: 1/)
    }
  })

  it('cosineDecay(0.1, 100) names cosineDecay and its options, not value', () => {
    const e = expectNamed(() => loose(cosineDecay)(0.1, 100), InvalidArgumentError)
    expect(e.primitive).toBe('cosineDecay')
    expect(e.message).toMatch(/options object/)
    expect(e.message).not.toMatch(/in value/)
    const missing = expectNamed(() => loose(cosineDecay)({ init: 0.1 }), InvalidArgumentError)
    expect(missing.message).toMatch(/decaySteps must be a finite number .* got undefined/)
    expect(missing.primitive).toBe('cosineDecay')
  })

  it('optimizer tree mismatches name the optimizer and the trees', () => {
    const opt = adam(0.1)
    const state = opt.init({ w: tensor([1, 2]) })
    const e = expectNamed(() => opt.update({ w: tensor([1, 2, 3]) }, state), TreeMismatchError)
    expect(e.primitive).toBe('adam')
    expect(e.message).toMatch(/state\.mu does not match the updates at state\.mu\.w/)
    expect(e.message).not.toMatch(/treeMap|tree 1/)
    const u = expectNamed(() => applyUpdates({ w: 1 }, { v: 1 } as never), TreeMismatchError)
    expect(u.primitive).toBe('applyUpdates')
    expect(u.message).toMatch(/updates does not match the params/)
    const momentum = sgd(0.1, { momentum: 0.9 })
    const m = expectNamed(() => momentum.update([1, 2], momentum.init([1])), TreeMismatchError)
    expect(m.primitive).toBe('trace')
  })

  it('train, trainStep and chain check their options and optimizers (were bare TypeErrors)', () => {
    const loss = (w: number) => mul(w, w)
    for (const bad of [null, undefined, 1]) {
      expectNamed(() => loose(train)(1, bad), InvalidArgumentError, `train ${String(bad)}`)
      expectNamed(() => loose(trainStep)(loss, bad), InvalidArgumentError, `trainStep ${bad}`)
      expectNamed(() => loose(chain)(sgd(0.1), bad), InvalidArgumentError, `chain ${bad}`)
      expectNamed(() => loose(trace)(bad), InvalidArgumentError, `trace ${String(bad)}`)
      expectNamed(() => loose(cosineDecay)(bad), InvalidArgumentError, `cosineDecay ${bad}`)
    }
    expectNamed(() => loose(trainStep)(loss, {}), InvalidArgumentError)
    const options = { loss, optimizer: sgd(0.1), key: random.key(0), epochs: 1 }
    const e = expectNamed(
      () => loose(train)(1, { ...options, y: tensor([1]) }),
      InvalidArgumentError,
    )
    expect(e.message).toMatch(/^x must be a Tensor/)
    expect(e.primitive).toBe('train')
  })

  it('an optimizer update without a state, or with options that are not an object', () => {
    const opt = adam(0.1)
    expectNamed(() => loose(opt.update)({ w: 1 }), InvalidArgumentError)
    expectNamed(() => loose(opt.update)({ w: 1 }, [undefined, undefined]), InvalidArgumentError)
    expectNamed(() => loose(adam)(0.1, 0.9), InvalidArgumentError)
    expectNamed(() => loose(sgd)(0.1, null), InvalidArgumentError)
  })
})

describe('max and min of nothing are ShapeErrors; sum, prod and mean keep NumPy values', () => {
  it('max and min over an empty axis throw, naming the op', () => {
    for (const [op, name] of [
      [max, 'max'],
      [min, 'min'],
    ] as const) {
      const e = expectNamed(() => op(zeros([0])), ShapeError, name)
      expect(e.primitive).toBe(name)
      expect(e.shapes).toEqual([[0]])
      expectNamed(() => op(zeros([2, 0]), 1), ShapeError, `${name} axis 1`)
      expectNamed(() => op(zeros([0, 2]), 0), ShapeError, `${name} axis 0`)
      // under transformations too
      expectNamed(() => grad((x: Tensor) => op(x))(zeros([0])), ShapeError, `grad ${name}`)
      expectNamed(() => vmap((x: Tensor) => op(x))(zeros([3, 0])), ShapeError, `vmap ${name}`)
    }
  })

  it('over a non-empty axis of an empty tensor, the result is empty', () => {
    expect(max(zeros([0, 2]), 1).shape).toEqual([0])
    expect(min(zeros([2, 0]), 0).shape).toEqual([0])
  })

  it('sum, prod and mean of nothing are 0, 1 and NaN', () => {
    expect(sum(zeros([0])).item()).toBe(0)
    expect(prod(zeros([0])).item()).toBe(1)
    expect(Number.isNaN(mean(zeros([0])).item())).toBe(true)
    expect(sum(zeros([2, 0]), 1).toArray()).toEqual([0, 0])
  })

  it('logSumExp of nothing is log 0 = −Infinity (NumPy, JAX), not an error', () => {
    expect(logSumExp(zeros([0])).item()).toBe(Number.NEGATIVE_INFINITY)
  })

  it('a failed reduction leaves nothing behind', () => {
    expect(() => max(zeros([0]))).toThrow(FluxionError)
    expect(grad((x: Tensor) => max(x))(tensor([1, 3, 2])).toArray()).toEqual([0, 1, 0])
  })
})
