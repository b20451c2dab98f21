/**
 * Reads that would drop a derivative (issue #12 §1). Inside every transformation a traced value
 * refuses to hand out its numbers — `item()`, `data`, `toArray()`, `String(x)`, template
 * literals, `JSON.stringify`, spreading, iteration — with `ConcretizationError`, and refuses JS
 * arithmetic (`Number(x)`, `+x`, `Math.*`) with `TracedArithmeticError`: a number read out of
 * it would carry no derivative, so the result would be silently wrong. `value(x)` is the one
 * explicit read, refused only where no single value exists (`jit`, `vmap`).
 *
 * The last property inserts each read at a random node of a random program and differentiates
 * it every way fluxion can: the outcome is a named error or exactly the derivative of the
 * program without the read — never a different number.
 */
import { inspect } from 'node:util'
import fc from 'fast-check'
import {
  ConcretizationError,
  checkpoint,
  customJvp,
  customVjp,
  derivative,
  FluxionError,
  full,
  grad,
  hessian,
  hvp,
  jacfwd,
  jacrev,
  jit,
  jvp,
  linearize,
  mul,
  neg,
  type Scalar,
  sum,
  Tensor,
  TracedArithmeticError,
  tensor,
  value,
  valueAndGrad,
  vjp,
  vmap,
} from 'fluxion'
import { programCase, run } from 'fluxion/testing'
import { describe, expect, it } from 'vitest'
import { expectNamed } from './helpers.ts'

type Read = (x: Scalar) => Scalar

/** A tensor or number of `x`'s kind and shape filled with `n`. */
const like = (x: Scalar, n: number): Scalar =>
  typeof x === 'number' || x.shape.length === 0 ? n : full(x.shape, n)

/** Whether `x` is concrete: inside a custom rule's primal run values are, and reads are fine. */
const concrete = (x: Scalar): boolean => typeof x === 'number' || x instanceof Tensor

/**
 * Each read as user code writes it, rebuilding a value of `x`'s shape from what it read; a
 * concrete value passes through unread. Were a read of a traced value not refused, the rebuilt
 * value would carry no derivative.
 */
const readOf =
  (read: (x: Scalar) => Scalar): Read =>
  (x) =>
    concrete(x) ? x : read(x)
const reads: Record<string, { readonly read: Read; readonly error: typeof FluxionError }> = {
  'item()': { read: readOf((x) => like(x, (x as Tensor).item())), error: ConcretizationError },
  data: {
    read: readOf((x) => new Tensor(Float64Array.from((x as Tensor).data), (x as Tensor).shape)),
    error: ConcretizationError,
  },
  'toArray()': { read: readOf((x) => tensor((x as Tensor).toArray())), error: ConcretizationError },
  'template literal': {
    read: readOf((x) => like(x, Number.parseFloat(`${x}`))),
    error: ConcretizationError,
  },
  'String(x)': {
    read: readOf((x) => like(x, Number.parseFloat(String(x)))),
    error: ConcretizationError,
  },
  'x.toString()': {
    read: readOf((x) => like(x, Number.parseFloat(x.toString()))),
    error: ConcretizationError,
  },
  'JSON.stringify': {
    read: readOf((x) => like(x, Number(JSON.parse(JSON.stringify(x))))),
    error: ConcretizationError,
  },
  spread: {
    read: readOf((x) => tensor([...(x as unknown as Iterable<number>)])),
    error: ConcretizationError,
  },
  'for … of': {
    read: readOf((x) => {
      const out: number[] = []
      for (const v of x as unknown as Iterable<number>) out.push(v)
      return tensor(out)
    }),
    error: ConcretizationError,
  },
  'Number(x)': { read: readOf((x) => like(x, Number(x))), error: TracedArithmeticError },
  'unary +': { read: readOf((x) => like(x, +(x as number))), error: TracedArithmeticError },
  'Math.exp': { read: readOf((x) => like(x, Math.exp(x as number))), error: TracedArithmeticError },
  'isNaN(x)': {
    // biome-ignore lint/suspicious/noGlobalIsNan: the global isNaN converts, which is the point
    read: readOf((x) => like(x, Number(isNaN(x as number)))),
    error: TracedArithmeticError,
  },
}

/** `f` read through each transformation that can trace it, at the scalar point 3. */
const transformations: Record<string, (f: (x: number) => Scalar) => unknown> = {
  grad: (f) => grad((x: number) => sum(f(x)))(3),
  valueAndGrad: (f) => valueAndGrad((x: number) => sum(f(x)))(3),
  vjp: (f) => vjp(f, 3)[1](like(f(3), 1) as never),
  jvp: (f) => jvp(f, [3], [1]),
  linearize: (f) => linearize(f, 3)[1](1),
  jacfwd: (f) => jacfwd(f)(3),
  jacrev: (f) => jacrev(f)(3),
  hessian: (f) => hessian((x: number) => sum(f(x)))(3),
  hvp: (f) => hvp((x: number) => sum(f(x)))(3, 1),
  derivative: (f) => derivative((x: number) => sum(f(x)) as number, 2)(3),
  'grad of checkpoint': (f) => grad(checkpoint((x: number) => sum(f(x))))(3),
  // a custom rule runs its primal function on concrete values (the rule gives the derivative),
  // so the reads are refused when its rule traces f again: customJvp's and customVjp's rules here
  'grad of customJvp': (f) =>
    grad(
      customJvp(
        (x: number) => sum(f(x)),
        ([x]: readonly [number], [t]: readonly [number]) =>
          [sum(f(x)), jvp((y: number) => sum(f(y)), [x], [t])[1]] as const,
      ),
    )(3),
  'grad of customVjp': (f) =>
    grad(
      customVjp(
        (x: number) => sum(f(x)) as number,
        (x: number) => [sum(f(x)) as number, x] as const,
        (x: number, g: number) => [mul(g, grad((y: number) => sum(f(y)))(x))] as const,
      ),
    )(3),
  vmap: (f) => vmap((x: Tensor) => f(x as unknown as number))(tensor([1, 2])),
  jit: (f) => jit(f)(3),
  'jit, second call': (f) => {
    const j = jit(f)
    try {
      j(2)
    } catch {
      // the first call is refused as well; the second must be too
    }
    return j(3)
  },
  'jit of grad': (f) => jit(grad((x: number) => sum(f(x))))(3),
}

describe('reads of a traced value are refused under every transformation', () => {
  for (const [readName, { read, error }] of Object.entries(reads)) {
    for (const [name, transform] of Object.entries(transformations)) {
      it(`${readName} under ${name}: ${error.name}`, () => {
        // a tensor and a number, so both kinds of traced value are covered
        expectNamed(() => transform((x) => mul(read(mul(x, tensor([1, 2]))), 2)), error, name)
        expectNamed(() => transform((x) => mul(read(mul(x, 2)), 2)), error, name)
      })
    }
  }

  it('the refusal names the transformation and says what to use', () => {
    const e = expectNamed(
      () => grad((x: Tensor) => mul(x.item(), 2))(tensor(3)),
      ConcretizationError,
    )
    expect(e.transformation).toBe('grad')
    expect(e.hint).toMatch(/value\(x\)/)
    expect(e.hint).toMatch(/stopGradient/)
  })
})

describe('value(x) is the explicit read', () => {
  const branchy = (x: number) => (value(x) > 0 ? mul(x, 2) : neg(x))

  it('reads the primal under grad, jvp, jacfwd and hessian; the ops carry the derivative', () => {
    expect(grad(branchy)(1)).toBe(2)
    expect(grad(branchy)(-1)).toBe(-1)
    expect(jvp(branchy, [1], [1])[1]).toBe(2)
    expect(jacfwd(branchy)(-1)).toBe(-1)
    expect(hessian((x: number) => mul(branchy(x), x))(1)).toBe(4)
  })

  it('is refused under jit and vmap, with ConcretizationError', () => {
    expectNamed(() => jit(branchy)(1), ConcretizationError, 'jit')
    const branchyTensor = (x: Tensor) => (value(x).item() > 0 ? mul(x, 2) : neg(x))
    expectNamed(() => vmap(branchyTensor)(tensor([1, 2])), ConcretizationError, 'vmap')
  })

  it('a staged value does not expose its primal through the field either', () => {
    const read = (x: number) => (x as unknown as { primal: number }).primal
    expectNamed(() => jit(read)(2), ConcretizationError, 'jit')
  })
})

describe('printing a traced value', () => {
  it('console.log / util.inspect print a short form, without the internals', () => {
    const printed: string[] = []
    grad((x: Tensor) => {
      printed.push(inspect(x), inspect({ w: mul(x, 2) }))
      return sum(x)
    })(tensor([1, 2, 3]))
    jit((x: number) => {
      printed.push(inspect(x))
      return x
    })(2)
    expect(printed).toEqual([
      'Traced<Tensor[3]> (grad)',
      '{ w: Traced<Tensor[3]> (grad) }',
      'Traced<number> (jit)',
    ])
  })
})

describe('reads at random program nodes (fuzz)', () => {
  const readNames = Object.keys(reads)
  // the program's inputs are number leaves here so derivative and every Jacobian apply
  const differentiate: Record<
    string,
    (f: (xs: readonly Tensor[]) => Scalar, xs: Tensor[]) => unknown
  > = {
    grad: (f, xs) => grad(f)(xs),
    jacfwd: (f, xs) => jacfwd(f)(xs),
    'jvp of grad': (f, xs) => jvp(grad(f), [xs], [xs])[1],
    hessian: (f, xs) => hessian(f)(xs),
    'jit of grad, replayed': (f, xs) => {
      const g = jit(grad(f))
      g(xs)
      return g(xs)
    },
  }

  it('a read anywhere gives a named error or exactly the derivative without it', () => {
    fc.assert(
      fc.property(
        programCase({ maxNodes: 6 }),
        fc.nat(),
        fc.constantFrom(...readNames),
        fc.constantFrom(...Object.keys(differentiate)),
        (c, at, readName, how) => {
          const p = c.program
          const k = p.inputShapes.length + (at % Math.max(1, p.nodes.length))
          const read = reads[readName]!.read
          // the program with node k's value replaced by what the read rebuilt
          const withRead = (xs: readonly Tensor[]): Scalar =>
            run(p, xs, (i, v) => (i === k ? read(v) : v))
          const plain = (xs: readonly Tensor[]): Scalar => run(p, xs)
          const d = differentiate[how]!
          const expected = d(plain, [...c.inputs])
          let got: unknown
          try {
            got = d(withRead, [...c.inputs])
          } catch (e) {
            if (e instanceof FluxionError) return
            throw e
          }
          expect(sameNumbers(got, expected), `${readName} at v${k} under ${how}`).toBe(true)
        },
      ),
    )
  })
})

/** Whether two trees of numbers and tensors hold the same numbers (NaN equal, zeros by sign). */
const sameNumbers = (a: unknown, b: unknown): boolean => {
  const flat = (t: unknown): number[] =>
    typeof t === 'number'
      ? [t]
      : t instanceof Tensor
        ? Array.from(t.data)
        : Array.isArray(t)
          ? t.flatMap(flat)
          : []
  const [x, y] = [flat(a), flat(b)]
  return x.length === y.length && x.every((v, i) => Object.is(v, y[i]))
}
