/**
 * `jit`: traced once per structure of arguments, replayed from a compiled program whose results
 * equal the eager ones exactly; cached by tree, kinds and shapes; composing with every
 * transformation; refusing to read values (`ConcretizationError`); running eagerly under an
 * outer transformation, with debugNans, or when a closure captures another transformation's
 * value. (Registry-wide and random-program agreement: laws/jit.laws.test.ts and
 * laws/programs.laws.test.ts.)
 */
import {
  add,
  ConcretizationError,
  customVjp,
  debugNans,
  div,
  EscapedTracerError,
  exp,
  FluxionError,
  grad,
  greater,
  hessian,
  InvalidArgumentError,
  jacfwd,
  jacrev,
  jit,
  jvp,
  log,
  matmul,
  mul,
  NonFiniteError,
  pad,
  random,
  reshape,
  ShapeError,
  sin,
  slice,
  square,
  sub,
  sum,
  type Tensor,
  tanh,
  tensor,
  value,
  vmap,
  where,
} from 'fluxion'
import { mlp, softmaxCrossEntropy } from 'fluxion/nn'
import { afterEach, describe, expect, it } from 'vitest'
import { clearCodeCaches, compile } from '../../src/jit/compile.ts'
import { StagingInterpreter } from '../../src/jit/trace.ts'

/** The numbers of a result tree, in order. */
const numbersOf = (tree: unknown): number[] => {
  if (typeof tree === 'number') return [tree]
  if (tree !== null && typeof tree === 'object' && 'data' in tree && 'shape' in tree) {
    return Array.from((tree as Tensor).data)
  }
  if (Array.isArray(tree)) return tree.flatMap(numbersOf)
  if (tree !== null && typeof tree === 'object') return Object.values(tree).flatMap(numbersOf)
  return []
}

/** Exactly the eager numbers, on the tracing call and on two replays. */
const expectSameAsEager = <A extends unknown[]>(f: (...args: A) => unknown, ...args: A): void => {
  const eager = numbersOf(f(...args))
  const jitted = jit(f)
  for (let call = 0; call < 3; call++) expect(numbersOf(jitted(...args))).toEqual(eager)
}

const rosenbrock = (x: Tensor): Tensor => {
  const n = x.shape[0]!
  const head = slice(x, [0], [n - 1])
  const tail = slice(x, [1])
  return sum(add(mul(100, square(sub(tail, square(head)))), square(sub(1, head))))
}
const rosenbrockLoop = (xs: readonly number[]): number => {
  let acc = 0
  for (let i = 0; i + 1 < xs.length; i++) {
    acc = add(acc, add(mul(100, square(sub(xs[i + 1]!, square(xs[i]!)))), square(sub(1, xs[i]!))))
  }
  return acc
}
const chain = (x: Tensor): Tensor => {
  const n = x.shape[0]!
  return sum(exp(mul(sin(slice(x, [0], [n - 1])), slice(x, [1]))))
}

afterEach(() => {
  debugNans(false)
})

describe('jit gives the eager numbers exactly', () => {
  const x = random.uniform(random.key(1), [50], -1.5, 1.5)

  it('a function, its gradient, and its Hessian', () => {
    expectSameAsEager(rosenbrock, x)
    expectSameAsEager(grad(rosenbrock), x)
    expectSameAsEager(hessian(chain), x)
    expectSameAsEager(jacrev(jacfwd(chain)), x)
  })

  it('scalar code over many numbers, and its gradient', () => {
    const xs = Array.from(x.data)
    expectSameAsEager(rosenbrockLoop, xs)
    expectSameAsEager(grad(rosenbrockLoop), xs)
  })

  it('trees in and out: an MLP loss and its gradient', () => {
    const net = mlp([4, 8, 3])
    const params = net.init(random.key(2))
    const inputs = random.normal(random.key(3), [5, 4])
    const labels = tensor([0, 2, 1, 1, 0])
    const loss = (p: typeof params) => softmaxCrossEntropy(net.apply(p, inputs), labels)
    expectSameAsEager(loss, params)
    expectSameAsEager(grad(loss), params)
    expectSameAsEager(
      (p: typeof params, v: Tensor) => ({ out: net.apply(p, v), twice: mul(2, v) }),
      params,
      inputs,
    )
  })

  it('broadcasting operands of every kind inside one fused loop', () => {
    const m = random.normal(random.key(4), [3, 4])
    const row = tensor([1, -2, 0.5, 3])
    const column = tensor([[1], [2], [-1]])
    expectSameAsEager(
      (a: Tensor, r: Tensor, c: Tensor) => tanh(add(mul(a, r), mul(c, 2))),
      m,
      row,
      column,
    )
    expectSameAsEager((a: Tensor, s: number) => exp(mul(add(a, s), tensor(0.5))), m, 1.25)
    // constants with one value everywhere are read as a number; ±0 and NaN keep their bits
    const uniform = tensor([
      [2, 2, 2, 2],
      [2, 2, 2, 2],
      [2, 2, 2, 2],
    ])
    const signs = tensor([
      [0, -0, 0, 0],
      [0, 0, 0, 0],
      [0, 0, 0, 0],
    ])
    const nan = tensor([Number.NaN, Number.NaN, Number.NaN, Number.NaN])
    expectSameAsEager((a: Tensor) => add(mul(a, uniform), mul(signs, nan)), m)
    expectSameAsEager((a: Tensor) => div(1, add(mul(a, 0), signs)), m)
  })

  it('vector slices and pads read in place, with steps, fill values and their derivatives', () => {
    const v = tensor([0.5, -1, 2, 3.5, -0.25, 4, 1.5])
    const f = (x: Tensor) =>
      add(
        mul(slice(x, [1], [7], [2]), slice(x, [0], [6], [2])),
        square(slice(pad(slice(x, [2]), [[1, 0]], Number.NEGATIVE_INFINITY), [0], [3])),
      )
    expectSameAsEager(f, v)
    expectSameAsEager((x: Tensor) => pad(exp(x), [[2, 3]], Number.NaN), v)
    expectSameAsEager((x: Tensor) => mul(pad(x, [[0, 2]], -0), pad(x, [[2, 0]])), v)
    expectSameAsEager(
      grad((x: Tensor) => sum(f(x))),
      v,
    )
    // along the last axis of a matrix they are read in place too; along another, a kernel copies
    const m = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ])
    expectSameAsEager((a: Tensor) => exp(slice(a, [0, 1])), m)
    expectSameAsEager(
      (a: Tensor) =>
        mul(
          pad(
            a,
            [
              [0, 0],
              [1, 2],
            ],
            7,
          ),
          2,
        ),
      m,
    )
    expectSameAsEager((a: Tensor) => exp(slice(a, [1, 0])), m)
    expectSameAsEager(
      grad((a: Tensor) => sum(exp(mul(slice(a, [0, 1]), slice(a, [0, 0], [2, 2]))))),
      m,
    )
  })

  it('matmul and where, with their derivatives', () => {
    const a = random.normal(random.key(5), [4, 3])
    const f = (w: Tensor) => sum(where(greater(matmul(a, w), 0), square(matmul(a, w)), 0))
    const w = random.normal(random.key(6), [3, 2])
    expectSameAsEager(f, w)
    expectSameAsEager(grad(f), w)
  })

  it('custom rules: the primal function is staged, and grad uses the custom pullback', () => {
    const logish = customVjp(
      (v: Tensor) => log(add(v, 1)),
      (v: Tensor) => [log(add(v, 1)), v] as const,
      (_v: Tensor, yBar: Tensor) => [mul(yBar, 3)],
    )
    const xs = tensor([0.5, 1, 2])
    expectSameAsEager((v: Tensor) => sum(logish(v)), xs)
    expectSameAsEager(
      grad((v: Tensor) => sum(logish(v))),
      xs,
    )
    expect(jit(grad((v: Tensor) => sum(logish(v))))(xs).toArray()).toEqual([3, 3, 3])
  })
})

describe('tracing and caching', () => {
  it('traces once per structure of arguments: tree, kinds and shapes', () => {
    let traces = 0
    const f = jit((v: Tensor | number) => {
      traces++
      return mul(v, v)
    })
    f(tensor([1, 2]))
    f(tensor([3, 4]))
    expect(traces).toBe(1)
    f(tensor([1, 2, 3]))
    expect(traces).toBe(2)
    f(2)
    f(3)
    expect(traces).toBe(3)
    expect((f(tensor([5, 6])) as Tensor).toArray()).toEqual([25, 36])
    expect(f(7)).toBe(49)
  })

  it('numbers anywhere in a tree: loose, in runs, between tensors, in objects', () => {
    type Args = { a: number; b: (number | Tensor)[]; c: { d: number[]; e: Tensor } }
    const f = (t: Args) => {
      const [b0, b1, b2, b3, b4] = t.b as [number, Tensor, number, number, Tensor]
      return add(mul(add(t.a, b0), sum(mul(b1, b4))), add(mul(b2, b3), sum(mul(t.c.e, t.c.d[1]!))))
    }
    const args = (k: number): Args => ({
      a: k,
      b: [2 * k, tensor([1, k]), 3, -k, tensor([k, 0.5])],
      c: {
        d: [k, k + 1, 7],
        e: tensor([
          [1, 2],
          [k, 4],
        ]),
      },
    })
    expectSameAsEager(f, args(1.5))
    expectSameAsEager(grad(f), args(-0.25))
    const jf = jit(f)
    jf(args(1))
    for (const k of [2, -3, 0.125]) expect(numbersOf(jf(args(k)))).toEqual(numbersOf(f(args(k))))
  })

  it('keeps the programs of the 64 most recently traced structures', () => {
    let traces = 0
    const f = jit((v: Tensor) => {
      traces++
      return exp(v)
    })
    const sized = (n: number) => tensor(Array.from({ length: n }, (_, i) => i / n))
    for (let n = 1; n <= 64; n++) f(sized(n))
    expect(traces).toBe(64)
    f(sized(64))
    f(sized(1))
    expect(traces).toBe(64)
    f(sized(65)) // a 65th structure: the oldest program goes
    expect(traces).toBe(65)
    f(sized(1))
    expect(traces).toBe(66)
    expect(Array.from(f(sized(3)).data)).toEqual(Array.from(exp(sized(3)).data))
  })

  it('replays with the new values, not the traced ones', () => {
    const f = jit(grad(rosenbrock))
    const a = tensor([0.5, 1, 1.5, 2])
    const b = tensor([-1, 0, 2, 3])
    f(a)
    expect(f(b).toArray()).toEqual(grad(rosenbrock)(b).toArray())
  })

  it('fuses elementwise chains: the Rosenbrock gradient is a few loops and kernel calls', () => {
    const interp = new StagingInterpreter()
    const out = grad(rosenbrock)(interp.input(tensor([0.5, 1, 1.5, 2])) as unknown as Tensor)
    interp.close()
    const { stats } = compile(interp.finish([out]))
    // slices, the sum and the pads' transposes are kernels; everything elementwise is fused
    expect(stats.kernels).toBeLessThanOrEqual(6)
    expect(stats.fused).toBeGreaterThanOrEqual(12)
    expect(stats.loops).toBeLessThanOrEqual(4)
  })

  it('drops what the outputs do not need', () => {
    const interp = new StagingInterpreter()
    const v = interp.input(tensor([1, 2])) as unknown as Tensor
    exp(v) // unused
    const out = mul(v, 2)
    interp.close()
    expect(compile(interp.finish([out])).stats.equations).toBe(1)
  })

  it('results of earlier calls stay intact: buffers reused between runs never escape', () => {
    const cases: ((v: Tensor) => Tensor)[] = [
      grad(rosenbrock),
      // a fused value read by a kernel that may return its input's memory
      (v) => reshape(exp(mul(v, 2)), [2, 2]),
      (v) => add(pad(exp(v), [[1, 0]]), 1),
    ]
    for (const f of cases) {
      const jf = jit(f)
      const a = tensor([0.5, 1, 1.5, 2])
      const b = tensor([-1, 0, 2, 3])
      jf(b) // traces: later calls replay
      const first = jf(a)
      const kept = Array.from(first.data)
      jf(b)
      expect(Array.from(first.data)).toEqual(kept)
      expect(Array.from(jf(b).data)).toEqual(Array.from(f(b).data))
    }
  })

  it('never mutates inputs, and its outputs never alias them', () => {
    const x = tensor([1, 2, 3])
    const identity = jit((v: Tensor) => v)
    for (let call = 0; call < 2; call++) {
      const y = identity(x)
      expect(y.data).not.toBe(x.data)
      expect(y.toArray()).toEqual([1, 2, 3])
    }
    jit(grad(rosenbrock))(x)
    expect(x.toArray()).toEqual([1, 2, 3])
  })
})

describe('composition', () => {
  const x = tensor([0.3, -0.8, 1.1])

  it('transformations of a jitted function run the function itself', () => {
    const f = jit(chain)
    expect(numbersOf(grad(f)(x))).toEqual(numbersOf(grad(chain)(x)))
    expect(numbersOf(jvp(f, [x], [tensor([1, 0, 2])]))).toEqual(
      numbersOf(jvp(chain, [x], [tensor([1, 0, 2])])),
    )
    expect(numbersOf(hessian(f)(x))).toEqual(numbersOf(hessian(chain)(x)))
    const batch = tensor([
      [0.3, -0.8, 1.1],
      [1, 2, 3],
    ])
    expect(numbersOf(vmap(f)(batch))).toEqual(numbersOf(vmap(chain)(batch)))
  })

  it('jit of vmap, of jit, and of nested grads', () => {
    const batch = random.normal(random.key(7), [4, 3])
    expectSameAsEager(vmap(grad(chain)), batch)
    expectSameAsEager(jit(jit(chain)), x)
    expectSameAsEager(grad(grad((s: number) => mul(exp(sin(s)), s))), 0.7)
  })

  it('a value of an enclosing transformation captured by a closure runs eagerly', () => {
    // d/dy of jit(x ↦ x·y)(2) at y = 3 is 2: the jitted call must not bake y in
    const outer = grad((y: number) => jit((v: number) => mul(v, y))(2))
    expect(outer(3)).toBe(2)
    expect(outer(5)).toBe(2)
  })
})

describe('errors', () => {
  it('reading a traced value throws ConcretizationError', () => {
    const f = jit((v: number) => (value(v) > 0 ? v : mul(v, -1)))
    expect(() => f(2)).toThrow(ConcretizationError)
    try {
      f(2)
    } catch (e) {
      expect(e).toBeInstanceOf(FluxionError)
      expect((e as FluxionError).name).toBe('ConcretizationError')
      expect(String((e as Error).message)).toMatch(/jit/)
    }
    expect(() => jit((v: Tensor) => v.item())(tensor(1))).toThrow(ConcretizationError)
    expect(() => jit((v: Tensor) => v.toArray())(tensor([1]))).toThrow(ConcretizationError)
  })

  it('where() instead of a branch works', () => {
    const f = (v: Tensor) => where(greater(v, 0), v, mul(v, -1))
    expectSameAsEager(f, tensor([-2, 0, 3]))
  })

  it('errors of the function propagate, and are thrown again on the next call', () => {
    const f = jit((a: Tensor) => add(a, tensor([1, 2, 3])))
    expect(() => f(tensor([1, 2]))).toThrow(ShapeError)
    expect(() => f(tensor([1, 2]))).toThrow(ShapeError)
    expect(f(tensor([1, 1, 1])).toArray()).toEqual([2, 3, 4])
  })

  it('a staged value kept past its trace is an escaped tracer', () => {
    let kept: Tensor | undefined
    jit((v: Tensor) => {
      kept = v
      return v
    })(tensor([1]))
    expect(() => mul(kept!, 2)).toThrow(EscapedTracerError)
  })

  it('refuses non-functions and Promise-returning functions', () => {
    expect(() => jit(3 as unknown as () => number)).toThrow(InvalidArgumentError)
    expect(() => jit(async (v: number) => v)(1)).toThrow(InvalidArgumentError)
  })

  it.each([
    // what a browser's Function constructor does under such a policy
    [
      'generated code is forbidden (a strict Content-Security-Policy)',
      () => new EvalError('Code generation from strings disallowed for this context'),
    ],
    // what the engine throws at one of its size limits
    [
      'the engine cannot compile a program (a RangeError)',
      () => new RangeError('Invalid string length'),
    ],
  ])('where %s, runs f itself', (_, error) => {
    const realFunction = globalThis.Function
    class Refuse {
      constructor() {
        throw error()
      }
    }
    const refuse = Refuse as unknown as FunctionConstructor
    let traces = 0
    const f = jit((v: Tensor) => {
      traces++
      return exp(mul(v, 2))
    })
    // generated code is shared by structure across programs: make this program generate its own
    clearCodeCaches()
    globalThis.Function = refuse
    try {
      const v = tensor([0.5, -1])
      // the first call traces, fails to compile, and runs f
      expect(Array.from(f(v).data)).toEqual(Array.from(exp(mul(v, 2)).data))
      expect(traces).toBe(2)
      // later calls run f directly, without trying to trace again
      expect(Array.from(f(v).data)).toEqual(Array.from(exp(mul(v, 2)).data))
      expect(traces).toBe(3)
    } finally {
      globalThis.Function = realFunction
    }
  })

  it('with debugNans on, runs eagerly so the check names the primitive', () => {
    const f = jit((v: Tensor) => log(v))
    f(tensor([1, 2]))
    debugNans(true)
    expect(() => f(tensor([0, 1]))).toThrow(NonFiniteError)
  })

  it('refuses a function that returns a Promise on every path, the eager ones included', () => {
    const asyncSquare = async (v: Tensor) => mul(v, v)
    const f = jit(asyncSquare)
    expect(() => f(tensor([1, 2]))).toThrow(InvalidArgumentError)
    debugNans(true)
    expect(() => f(tensor([1, 2]))).toThrow(InvalidArgumentError)
  })
})
