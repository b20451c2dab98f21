/**
 * Every named error, raised where the bad value enters: its class, that it is a
 * `FluxionError` (and an `Error`), and a fragment of its message or fix hint. Also checks that
 * a transformation that threw leaves no state behind (the next one works).
 */
import {
  abs,
  add,
  broadcastTo,
  ConcretizationError,
  EscapedTracerError,
  FluxionError,
  grad,
  hessian,
  InvalidArgumentError,
  index,
  jacfwd,
  jacrev,
  jit,
  jvp,
  matmul,
  mul,
  NonScalarOutputError,
  neg,
  pad,
  reshape,
  ShapeError,
  sin,
  slice,
  sum,
  type Tensor,
  TracedArithmeticError,
  TreeMismatchError,
  tensor,
  transpose,
  valueAndGrad,
  vjp,
  vmap,
} from 'fluxion'
import { describe, expect, it } from 'vitest'

type ErrorClass = abstract new (...args: never[]) => FluxionError

/** Runs `run`, asserts it throws an instance of `cls` that is also a FluxionError; returns it. */
const thrown = (run: () => unknown, cls: ErrorClass): FluxionError => {
  let caught: unknown
  try {
    run()
  } catch (e) {
    caught = e
  }
  expect(caught, 'expected a throw').toBeInstanceOf(cls)
  expect(caught).toBeInstanceOf(FluxionError)
  expect(caught).toBeInstanceOf(Error)
  return caught as FluxionError
}

describe('ShapeError', () => {
  it('operands that do not broadcast', () => {
    const e = thrown(() => add(tensor([1, 2, 3]), tensor([1, 2])), ShapeError)
    expect(e.name).toBe('ShapeError')
    expect(e.message).toMatch(/do not broadcast/)
    expect(e.message).toContain('[3], [2]')
    expect(e.primitive).toBe('add')
    expect(e.hint).toMatch(/axis by axis/)
  })

  it('broadcastTo a shape the value does not broadcast to', () => {
    const e = thrown(() => broadcastTo(tensor([1, 2, 3]), [2, 2]), ShapeError)
    expect(e.message).toMatch(/cannot broadcast/)
    expect(e.shapes).toEqual([[3], [2, 2]])
    thrown(() => broadcastTo(tensor([[1, 2, 3]]), [3]), ShapeError)
    thrown(
      () => jvp((x: Tensor) => broadcastTo(x, [4]), [tensor([1, 2])], [tensor([1, 1])]),
      ShapeError,
    )
  })

  it('a reshape that changes the size, also under grad', () => {
    const e = thrown(() => reshape(tensor([1, 2, 3, 4, 5, 6]), [4]), ShapeError)
    expect(e.message).toMatch(/cannot reshape 6 elements into \[4\]/)
    const g = thrown(() => grad((x: Tensor) => sum(reshape(x, [4])))(tensor([1, 2, 3])), ShapeError)
    expect(g.message).toMatch(/cannot reshape 3 elements into \[4\]/)
  })

  it('matmul with different inner sizes', () => {
    const a = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ])
    const e = thrown(() => matmul(a, a), ShapeError)
    expect(e.message).toMatch(/inner dimensions differ: 3 vs 2/)
    expect(e.shapes).toEqual([
      [2, 3],
      [2, 3],
    ])
    expect(e.hint).toMatch(/transpose/)
    thrown(() => vjp((x: Tensor) => matmul(x, x), a), ShapeError)
  })
})

describe('NonScalarOutputError', () => {
  it('grad of a vector-valued function', () => {
    const e = thrown(() => grad((x: number) => mul(x, tensor([1, 2])))(3), NonScalarOutputError)
    expect(e.message).toMatch(/grad needs a scalar output, got shape \[2\]/)
    expect(e.transformation).toBe('grad')
    expect(e.hint).toMatch(/sum/)
  })

  it('grad of a function returning a string, a boolean, nothing: says what it got', () => {
    for (const [out, got] of [
      ['abc', "got 'abc'"],
      [true, 'got true'],
      [undefined, 'got undefined'],
      [null, 'got null'],
    ] as const) {
      const e = thrown(
        () => grad((_x: number) => out as unknown as number)(1),
        NonScalarOutputError,
      )
      expect(e.message).toContain(`grad needs a scalar output, ${got}`)
      expect(e.message).not.toMatch(/a tree/)
    }
    const none = thrown(
      () => grad((_x: number) => undefined as unknown as number)(1),
      NonScalarOutputError,
    )
    expect(none.hint).toMatch(/returned nothing/)
  })

  it('valueAndGrad of a function returning a tree', () => {
    const f = (x: number) => [x, x] as unknown as number
    const e = thrown(() => valueAndGrad(f)(1), NonScalarOutputError)
    expect(e.message).toMatch(/valueAndGrad needs a scalar output, got a tree/)
    expect(e.hint).toMatch(/vjp|jacrev/)
  })
})

describe('TreeMismatchError', () => {
  it('jvp tangents of another structure or shape', () => {
    const f = (p: { a: number; b: Tensor }) => mul(p.a, sum(p.b))
    const primal = { a: 1, b: tensor([1, 2]) }
    const e = thrown(() => jvp(f, [primal], [{ a: 1, b: tensor([1, 2, 3]) }]), TreeMismatchError)
    expect(e.message).toMatch(/tangents does not match the primal tree at tangents\[0\]\.b/)
    expect(e.message).toMatch(/shape \[3\] instead of \[2\]/)
    expect(e.hint).toMatch(/exactly the structure/)
    const k = thrown(() => jvp(f, [primal], [{ a: 1 } as typeof primal]), TreeMismatchError)
    expect(k.message).toMatch(/keys/)
  })

  it('a vjp cotangent of another shape', () => {
    const [, pullback] = vjp((x: Tensor) => sin(x), tensor([1, 2]))
    const e = thrown(() => pullback(tensor([1, 2, 3])), TreeMismatchError)
    expect(e.message).toMatch(/output cotangent/)
  })
})

describe('EscapedTracerError', () => {
  it('a value traced by grad, kept in an outer variable, then used after grad returned', () => {
    let leaked = 0
    const g = grad((x: number) => {
      leaked = x
      return mul(x, x)
    })(3)
    expect(g).toBe(6)
    const e = thrown(() => mul(leaked, 2), EscapedTracerError)
    expect(e.message).toMatch(/a value traced by grad was used after grad returned/)
    expect(e.primitive).toBe('mul')
    expect(e.hint).toMatch(/closures/)
    // also when it meets a live value of a later transformation
    thrown(() => grad((y: number) => mul(y, leaked))(2), EscapedTracerError)
  })

  it('a value traced by jvp or vjp, leaked through a closure', () => {
    const stash: number[] = []
    jvp(
      (x: number) => {
        stash.push(x)
        return sin(x)
      },
      [1],
      [1],
    )
    vjp((x: number) => {
      stash.push(x)
      return sin(x)
    }, 1)
    expect(thrown(() => sin(stash[0]!), EscapedTracerError).message).toMatch(/traced by jvp/)
    expect(thrown(() => abs(stash[1]!), EscapedTracerError).message).toMatch(/traced by vjp/)
  })

  it('an inner value leaked into a still-running outer grad', () => {
    const outer = (x: number) => {
      let inner = 0
      grad((y: number) => {
        inner = y
        return mul(x, y)
      })(2)
      return mul(x, inner)
    }
    thrown(() => grad(outer)(1), EscapedTracerError)
  })
})

describe('TracedArithmeticError', () => {
  const cases = [
    ['x + 1', 'add', (x: number) => x + 1],
    ['x * 2', 'mul', (x: number) => x * 2],
    ['x < 0', 'less', (x: number) => (x < 0 ? 1 : 0)],
  ] as const

  it.each(cases)('%s on a traced value inside grad names %s', (_src, op, body) => {
    const e = thrown(() => grad((x: number) => mul(body(x), 1))(3), TracedArithmeticError)
    expect(e.message).toMatch(/JavaScript operator was applied to a traced value/)
    expect(e.message).toContain(op)
    expect(e.transformation).toBe('grad')
    expect(e.hint).toMatch(/value\(x\)/)
  })

  it.each(cases)('%s on a traced value inside jvp and vjp', (_src, _op, body) => {
    thrown(() => jvp((x: number) => body(x), [3], [1]), TracedArithmeticError)
    thrown(() => vjp((x: number) => body(x), 3), TracedArithmeticError)
  })

  it('string conversion is refused with ConcretizationError: text could steer a branch', () => {
    expect(() => grad((x: number) => (`${x}`.startsWith('-') ? neg(x) : x))(3)).toThrow(
      ConcretizationError,
    )
    expect(() => grad((x: number) => mul(Number(String(x)), 2))(3)).toThrow(ConcretizationError)
  })
})

describe('InvalidArgumentError', () => {
  const f = (x: number, y: number) => mul(x, y)

  it('argnums out of range, negative or repeated', () => {
    const e = thrown(() => grad(f, { argnums: 2 })(1, 2), InvalidArgumentError)
    expect(e.message).toMatch(/argnums 2 is out of range for 2 argument/)
    expect(e.hint).toMatch(/\[0, 1\]/)
    thrown(() => grad(f, { argnums: -1 })(1, 2), InvalidArgumentError)
    thrown(() => valueAndGrad(f, { argnums: [0, 5] })(1, 2), InvalidArgumentError)
    expect(thrown(() => grad(f, { argnums: [1, 1] })(1, 2), InvalidArgumentError).message).toMatch(
      /repeats/,
    )
  })

  it('an axis out of range, for reductions and shape ops', () => {
    const e = thrown(() => sum(tensor([1, 2]), 1), InvalidArgumentError)
    expect(e.message).toMatch(/axis 1 is out of range for rank 1/)
    expect(e.hint).toMatch(/\[-1, 0\]/)
    thrown(() => grad((x: Tensor) => sum(x, 2))(tensor([1, 2])), InvalidArgumentError)
    thrown(() => index(tensor([1, 2]), 2), InvalidArgumentError)
    thrown(() => transpose(tensor([[1]]), [0, 0]), InvalidArgumentError)
    thrown(() => slice(tensor([1, 2]), [0], [2], [0]), InvalidArgumentError)
    thrown(() => pad(tensor([1, 2]), [[0.5, 0]]), InvalidArgumentError)
    thrown(() => matmul(tensor(2), tensor([1])), InvalidArgumentError)
  })

  it('a leaf that is not a number or tensor', () => {
    const g = (p: { a: number; b: number }) => mul(p.a, p.b)
    const e = thrown(() => grad(g)({ a: 1, b: 'two' as unknown as number }), InvalidArgumentError)
    expect(e.message).toMatch(/argument 0\.b is a string, not a number, Tensor/)
    thrown(
      () => jvp(g, [{ a: 1, b: true as unknown as number }], [{ a: 1, b: 1 }]),
      InvalidArgumentError,
    )
    // null is an empty subtree (JAX's None), so a tangent leaf where it stands is a mismatch
    thrown(
      () => jvp(g, [{ a: 1, b: null as unknown as number }], [{ a: 1, b: 1 }]),
      TreeMismatchError,
    )
    const cyclic: { a: number; self?: unknown } = { a: 1 }
    cyclic.self = cyclic
    expect(
      thrown(() => grad((p: typeof cyclic) => p.a)(cyclic), InvalidArgumentError).message,
    ).toMatch(/contains itself/)
  })

  it('a function returning a Promise, and a Promise argument', () => {
    const asyncF = async (x: number) => mul(x, x)
    const e = thrown(
      () => grad(asyncF as unknown as (x: number) => number)(2),
      InvalidArgumentError,
    )
    expect(e.message).toMatch(/returned a Promise/)
    expect(e.hint).toMatch(/synchronous/)
    thrown(() => jvp(asyncF, [2], [1]), InvalidArgumentError)
    thrown(() => vjp(asyncF, 2), InvalidArgumentError)
    const p = Promise.resolve(2) as unknown as number
    expect(thrown(() => grad((x: number) => x)(p), InvalidArgumentError).message).toMatch(
      /argument 0 is a Promise/,
    )
  })

  it('options: unknown keys, and anything but an object, are refused by every transformation', () => {
    const g = (x: number, y: number) => mul(x, y)
    const typo = { argnum: 1 } as unknown as { argnums: number }
    const e = thrown(() => grad(g, typo), InvalidArgumentError)
    expect(e.message).toMatch(/^unknown option argnum of grad \(known: argnums, hasAux\)/)
    for (const [name, build] of [
      ['valueAndGrad', () => valueAndGrad(g, typo)],
      ['jacfwd', () => jacfwd(g, typo)],
      ['jacrev', () => jacrev(g, typo)],
      ['hessian', () => hessian(g, typo)],
      ['vmap', () => vmap(g, { inAxis: 0 } as never)],
      ['jit', () => jit(g, { static: [1] } as never)],
      ['jvp', () => (jvp as (...args: unknown[]) => unknown)(g, [1, 2], [1, 0], { hasaux: true })],
    ] as const) {
      expect(thrown(build, InvalidArgumentError).message, name).toMatch(
        new RegExp(`^unknown option \\w+ of ${name} \\(known: `),
      )
    }
    for (const bad of [3, null, 'x', [0]]) {
      const v = thrown(() => vmap(g, bad as never), InvalidArgumentError)
      expect(v.message).toMatch(/^the options of vmap must be an object/)
      expect(v.hint).toMatch(/inAxes/)
      thrown(() => grad(g, bad as never), InvalidArgumentError)
    }
    // the known options still pass
    expect(
      vmap((x: Tensor) => mul(x, 2), { inAxes: [0], outAxes: 0 })(tensor([1, 2])).toArray(),
    ).toEqual([2, 4])
    expect(grad(g, { argnums: 1, hasAux: false })(3, 4)).toBe(3)
  })

  it('hasAux without an [output, aux] pair', () => {
    const bad = (x: number) => x as unknown as readonly [number, string]
    const e = thrown(() => grad(bad, { hasAux: true })(1), InvalidArgumentError)
    expect(e.message).toMatch(/\[output, aux\]/)
  })
})

describe('after an error', () => {
  it('transformations that threw leave nothing behind: the next ones are exact', () => {
    thrown(() => grad((x: number) => mul(x, tensor([1, 2])))(3), NonScalarOutputError)
    thrown(
      () => jvp((x: Tensor) => add(x, tensor([1, 2, 3])), [tensor([1, 2])], [tensor([1, 1])]),
      ShapeError,
    )
    thrown(() => grad((x: number) => grad((y: number) => y + x)(1))(1), TracedArithmeticError)
    expect(grad((x: number) => mul(x, x))(3)).toBe(6)
    expect(grad(grad((x: number) => mul(x, mul(x, x))))(2)).toBe(12)
    expect(jvp((x: number) => mul(x, x), [3], [1])).toEqual([9, 6])
  })
})
