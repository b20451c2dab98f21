/**
 * Issue #12 §3: custom rules, checkpoint and vmap never give a silently wrong number. Every
 * repro of the issue is a test here and ends in the right number or a named error:
 *
 * 1. the results of user rules are checked leaf by leaf — a `bwd` cotangent of shape [1] for
 *    an argument of shape [2] used to broadcast into [6, 6], a `customJvp` tangent of shape [1]
 *    gave [8, 8] — and `null` is a symbolic zero;
 * 2. a `customVjp` rule is used under nested reverse mode (`grad(x => vjp(h, x)[0])` used to
 *    differentiate `fwd`'s ops, giving 2 instead of 10);
 * 3. forward mode of a `customVjp` transposes `bwd`, so jvp, jacfwd, linearize and `derivative`
 *    agree with grad and jacrev (they used to differentiate `f` itself);
 * 4. `checkpoint` of a closure over a traced value (it threw EscapedTracerError under grad and
 *    linearize, and jvp returned leaked tracers);
 * 5. a custom function closing over a vmap-batched value (it returned a Batched tracer).
 *
 * Expected values are closed forms computed in JS from the rule (which differs from `f`'s true
 * derivative on purpose, so a test sees which one ran), the other mode, or central differences.
 */
import {
  add,
  checkpoint,
  cos,
  customJvp,
  customVjp,
  derivative,
  EscapedTracerError,
  exp,
  grad,
  hessian,
  jacfwd,
  jacrev,
  jit,
  jvp,
  linearize,
  matmul,
  mul,
  sin,
  sum,
  type Tensor,
  TreeMismatchError,
  tensor,
  transpose,
  valueAndGrad,
  vjp,
  vmap,
} from 'fluxion'
import { describe, expect, it } from 'vitest'
import { expectClose, expectTensor } from '../helpers.ts'
import { expectNamed } from './helpers.ts'

/** Central difference of a scalar JS function. */
const central = (f: (x: number) => number, x: number, h = 1e-5): number =>
  (f(x + h) - f(x - h)) / (2 * h)

describe('1. results of user rules are checked leaf by leaf', () => {
  const x = tensor([1, 2])
  const triple = (bwd: (res: null, g: Tensor) => readonly [unknown]) =>
    customVjp(
      (v: Tensor) => mul(v, 3),
      (v: Tensor) => [mul(v, 3), null] as const,
      bwd,
    )

  it('a bwd cotangent of shape [1] for an argument of shape [2] is a TreeMismatchError', () => {
    const bad = triple(() => [tensor([3])])
    const e = expectNamed(() => grad((v: Tensor) => sum(bad(v)))(x), TreeMismatchError)
    expect(e.message).toContain('bwd result[0]')
    expect(e.shapes).toEqual([[1], [2]])
    expectNamed(() => vjp(bad, x)[1](tensor([1, 1])), TreeMismatchError)
    // and inside vmap, example by example
    expectNamed(() => vmap(grad((v: Tensor) => sum(bad(v))))(tensor([[1, 2]])), TreeMismatchError)
  })

  it('a bare number for a tensor argument is a TreeMismatchError', () => {
    const bad = triple((_r, g) => [sum(mul(g, 3))])
    const e = expectNamed(() => grad((v: Tensor) => sum(bad(v)))(x), TreeMismatchError)
    expect(e.shapes).toEqual([[], [2]])
  })

  it('the path names the leaf inside a tree argument', () => {
    type P = { w: Tensor; b: number }
    const layer = customVjp(
      (p: P, v: Tensor) => add(mul(p.w, v), p.b),
      (p: P, v: Tensor) => [add(mul(p.w, v), p.b), { p, v }] as const,
      ({ p, v }: { p: P; v: Tensor }, g: Tensor) =>
        [{ w: sum(mul(g, v)), b: sum(g) }, mul(g, p.w)] as const,
    )
    const e = expectNamed(
      () => grad((p: P) => sum(layer(p, x)))({ w: tensor([0.5, -1]), b: 2 }),
      TreeMismatchError,
    )
    expect(e.message).toContain('bwd result[0].w')
    expect(e.shapes).toEqual([[], [2]])
  })

  it('a bare value where the tuple is due is a TreeMismatchError whose hint shows the tuple', () => {
    const h = customVjp(
      (a: number, b: number) => mul(a, b),
      (a: number, b: number) => [mul(a, b), [a, b]] as const,
      (_r: readonly [number, number], g: number) => mul(g, 10) as never,
    )
    const e = expectNamed(() => grad(h)(2, 3), TreeMismatchError)
    expect(e.hint).toContain('[aBar, bBar] as const')
  })

  it('null is a zero cotangent, for an argument or a leaf', () => {
    const h = customVjp(
      (a: number, p: { u: Tensor; s: number }) => mul(mul(a, p.s), sum(p.u)),
      (a: number, p: { u: Tensor; s: number }) => [mul(mul(a, p.s), sum(p.u)), [a, p]] as const,
      // s's cotangent is a rank-0 tensor for a number leaf: conformed to a number
      ([a, p]: readonly [number, { u: Tensor; s: number }], g: Tensor) =>
        [null, { u: null, s: mul(mul(g, a), sum(p.u)) }] as const,
    )
    const [ga, gp] = grad(h, { argnums: [0, 1] })(2, { u: tensor([1, 2]), s: 3 })
    expect(ga).toBe(0)
    expect(gp.s).toBe(6)
    expectClose(expectTensor(gp.u, [2]), tensor([0, 0]), 0, 0)
  })

  it('a number is a rank-0 tensor’s cotangent, as everywhere', () => {
    const h = customVjp(
      (v: Tensor) => mul(v, v),
      (v: Tensor) => [mul(v, v), v] as const,
      (v: Tensor, g: Tensor) => [sum(mul(mul(g, v), 7))] as const,
    )
    const g = grad((v: Tensor) => sum(h(v)))(tensor(2))
    expectClose(expectTensor(g, []), tensor(14), 0, 0)
  })

  it('a customJvp tangent of shape [1] for an output of shape [2] is a TreeMismatchError', () => {
    const bad = customJvp(
      (v: Tensor) => mul(v, 4),
      ([v]: readonly [Tensor], _t: readonly [Tensor]) => [mul(v, 4), tensor([4])] as const,
    )
    const e = expectNamed(() => jvp(bad, [x], [tensor([1, 1])]), TreeMismatchError)
    expect(e.message).toContain('rule result[1]')
    expect(e.shapes).toEqual([[1], [2]])
    expectNamed(() => grad((v: Tensor) => sum(bad(v)))(x), TreeMismatchError)
  })

  it('a customJvp tangent may be null (zero)', () => {
    const flat = customJvp(
      (v: Tensor) => mul(v, 4),
      ([v]: readonly [Tensor], _t: readonly [Tensor]) => [mul(v, 4), null] as never,
    )
    expectClose(jvp(flat, [x], [tensor([1, 1])])[1], tensor([0, 0]), 0, 0)
    expectClose(grad((v: Tensor) => sum(flat(v)))(x), tensor([0, 0]), 0, 0)
  })
})

describe('2. a customVjp rule is used under nested reverse mode', () => {
  let fCalls = 0
  let fwdCalls = 0
  /** f = x², rule: x̄ = 10·ȳ (not f′ = 2x, so the rule is seen to be used). */
  const h = customVjp(
    (x: number) => {
      fCalls++
      return mul(x, x)
    },
    (x: number) => {
      fwdCalls++
      return [mul(x, x), x] as const
    },
    (_x: number, g: number) => [mul(g, 10)] as const,
  )

  it('grad, and grad of the value of valueAndGrad or vjp, all give 10', () => {
    expect(grad(h)(1)).toBe(10)
    expect(grad((x: number) => valueAndGrad(h)(x)[0])(1)).toBe(10)
    expect(grad((x: number) => vjp(h, x)[0])(1)).toBe(10)
    expect(jacrev((x: number) => vjp(h, x)[0])(1)).toBe(10)
  })

  it('one reverse level runs fwd once and never f', () => {
    fCalls = 0
    fwdCalls = 0
    grad(h)(1)
    expect([fCalls, fwdCalls]).toEqual([0, 1])
  })

  it('the customJvp analogue: grad of jvp’s primal output uses the rule', () => {
    const fake = customJvp(
      (x: number) => sin(x),
      ([x]: readonly [number], [t]: readonly [number]) => [sin(x), mul(2, t)] as const,
    )
    expect(grad((x: number) => jvp(fake, [x], [1])[0])(1)).toBe(2)
    expect(grad((x: number) => vjp(fake, x)[0])(1)).toBe(2)
  })
})

describe('3. forward mode of a customVjp transposes bwd', () => {
  /** f = sin with the rule x̄ = 2·cos(x)·ȳ: every mode must give 2·cos x, not cos x. */
  const doubled = customVjp(
    (x: number) => sin(x),
    (x: number) => [sin(x), x] as const,
    (x: number, g: number) => [mul(g, mul(2, cos(x)))] as const,
  )
  const d1 = 2 * Math.cos(3)
  const d2 = -2 * Math.sin(3)

  it('jvp, jacfwd, linearize and derivative agree with grad and jacrev: 2·cos 3', () => {
    expect(grad(doubled)(3)).toBe(d1)
    expect(jacrev(doubled)(3)).toBe(d1)
    expect(jvp(doubled, [3], [1])).toEqual([Math.sin(3), d1])
    expect(jacfwd(doubled)(3)).toBe(d1)
    expect(linearize(doubled, 3)[1](1)).toBe(d1)
    expect(derivative(doubled, 1)(3)).toBe(d1)
  })

  it('second order, every pairing of modes: −2·sin 3', () => {
    expectClose(grad(grad(doubled))(3), d2, 1e-15, 1e-15)
    expectClose(jvp(grad(doubled), [3], [1])[1], d2, 1e-15, 1e-15)
    expectClose(grad((x: number) => jvp(doubled, [x], [1])[1])(3), d2, 1e-15, 1e-15)
    expectClose(jacfwd(jacfwd(doubled))(3), d2, 1e-15, 1e-15)
    expectClose(hessian(doubled)(3), d2, 1e-15, 1e-15)
    expectClose(derivative(doubled, 2)(3), d2, 1e-15, 1e-15)
  })

  it('a vector rule: jacfwd ≡ jacrev ≡ M, where f’s own Jacobian is diag(2x)', () => {
    const M = tensor([
      [1, 2, 0],
      [-1, 0.5, 3],
      [0, 4, -2],
    ])
    const square = customVjp(
      (v: Tensor) => mul(v, v),
      (v: Tensor) => [mul(v, v), null] as const,
      (_r: null, g: Tensor) => [matmul(transpose(M), g)] as const,
    )
    const v = tensor([0.5, -1, 2])
    expectClose(expectTensor(jacrev(square)(v), [3, 3]), M, 0, 0)
    expectClose(expectTensor(jacfwd(square)(v), [3, 3]), M, 0, 0)
    const t = tensor([1, -2, 0.25])
    expectClose(jvp(square, [v], [t])[1], matmul(M, t), 0, 0)
    expectClose(linearize(square, v)[1](t), matmul(M, t), 0, 0)
  })

  it('hessian ≡ jacrev(jacrev) ≡ jacfwd(jacfwd): diag(−3 sin v) for the rule x̄ = 3 cos(x)·ȳ', () => {
    const tripled = customVjp(
      (v: Tensor) => sin(v),
      (v: Tensor) => [sin(v), v] as const,
      (v: Tensor, g: Tensor) => [mul(g, mul(3, cos(v)))] as const,
    )
    const h = (v: Tensor) => sum(tripled(v))
    const v = tensor([0.5, -1, 2])
    const H = [0, 1, 2].map((i) => [0, 1, 2].map((j) => (i === j ? -3 * Math.sin(v.data[i]!) : 0)))
    expectClose(hessian(h)(v), tensor(H), 1e-15, 1e-15)
    expectClose(jacrev(jacrev(h))(v), tensor(H), 1e-15, 1e-15)
    expectClose(jacfwd(jacfwd(h))(v), tensor(H), 1e-15, 1e-15)
    expectClose(vmap(grad(h))(tensor([[0.5, -1, 2]])), mul(3, cos(tensor([[0.5, -1, 2]]))))
    expectClose(jit(grad(h))(v), grad(h)(v), 0, 0)
  })
})

describe('4. checkpoint of a closure over a traced value', () => {
  /** f(x) = x·sin x with sin x closed over: f′(2) = sin 2 + 2 cos 2. */
  const f = (x: number) => {
    const y = sin(x)
    return checkpoint((z: number) => mul(z, y))(x)
  }
  const d1 = 0.0770037537313969
  const d2 = 2 * Math.cos(2) - 2 * Math.sin(2)

  it('grad, linearize, jvp, vjp and jacfwd give f′(2) (and plain numbers)', () => {
    expect(d1).toBeCloseTo(Math.sin(2) + 2 * Math.cos(2), 15)
    expectClose(grad(f)(2), d1, 1e-15, 1e-16)
    expectClose(linearize(f, 2)[1](1), d1, 1e-15, 1e-16)
    const [y, yDot] = jvp(f, [2], [1])
    expect(typeof y).toBe('number')
    expect(typeof yDot).toBe('number')
    expect(y).toBe(2 * Math.sin(2))
    expectClose(yDot, d1, 1e-15, 1e-16)
    expectClose(vjp(f, 2)[1](1)[0], d1, 1e-15, 1e-16)
    expectClose(jacfwd(f)(2), d1, 1e-15, 1e-16)
  })

  it('second and third order, jit and vmap agree with the closed forms', () => {
    expectClose(grad(grad(f))(2), d2, 1e-14, 1e-15)
    expectClose(jvp(grad(f), [2], [1])[1], d2, 1e-14, 1e-15)
    expectClose(hessian(f)(2), d2, 1e-14, 1e-15)
    expectClose(derivative(f, 3)(2), -3 * Math.sin(2) - 2 * Math.cos(2), 1e-14, 1e-15)
    expectClose(jit(grad(f))(2), d1, 1e-15, 1e-16)
    const fT = (v: Tensor) => {
      const y = sin(v)
      return sum(checkpoint((z: Tensor) => mul(z, y))(v))
    }
    const xs = tensor([[2], [0.5]])
    expectClose(vmap(grad(fT))(xs), tensor([[d1], [Math.sin(0.5) + 0.5 * Math.cos(0.5)]]))
  })

  it('several captured values, and one returned as it is', () => {
    const g = (x: number) => {
      const [a, b, c] = [sin(x), cos(x), exp(x)]
      return checkpoint((z: number) => add(mul(mul(z, a), b), c))(x)
    }
    const gJs = (x: number) => x * Math.sin(x) * Math.cos(x) + Math.exp(x)
    expectClose(grad(g)(0.7), central(gJs, 0.7), 1e-9, 1e-9)
    expectClose(jvp(g, [0.7], [1])[1], grad(g)(0.7), 1e-15, 1e-15)
    const identity = (x: number) => {
      const y = sin(x)
      return checkpoint((_z: number) => y)(x)
    }
    expect(grad(identity)(0.7)).toBe(Math.cos(0.7))
    expect(jvp(identity, [0.7], [1])).toEqual([Math.sin(0.7), Math.cos(0.7)])
  })

  it('a value of a transformation opened after the one that processes the rule', () => {
    // grad over x, jvp over z inside; the checkpointed function is called on x but closes
    // over z: d/dz (x·z²) = 2xz = 4x at z = 2, so its derivative in x is 4
    const g = (x: number) =>
      jvp((z: number) => checkpoint((w: number) => mul(mul(w, z), z))(x), [2], [1])[1]
    expect(grad(g)(0.7)).toBe(4)
    expect(jvp(g, [0.7], [1])[1]).toBe(4)
  })

  it('rules nested in a converted one: their pullbacks, run later, see the same values', () => {
    // blocks of checkpointed steps, each block checkpointed, every step closing over w
    const repeat =
      (s: (y: number) => number, count: number) =>
      (y: number): number => {
        let v = y
        for (let i = 0; i < count; i++) v = s(v)
        return v
      }
    const stepOf = (w: number) => (y: number) => sin(mul(w, y))
    const blocks = (w: number) => repeat(checkpoint(repeat(checkpoint(stepOf(w)), 2)), 3)(0.5)
    const plain = (w: number) => repeat(stepOf(w), 6)(0.5)
    const expected = grad(plain)(0.8)
    expectClose(grad(blocks)(0.8), expected, 1e-15, 1e-16)
    expectClose(jvp(blocks, [0.8], [1])[1], expected, 1e-15, 1e-16)
    expectClose(grad(grad(blocks))(0.8), grad(grad(plain))(0.8), 1e-14, 1e-15)
  })

  it('a captured value that is dead is an EscapedTracerError', () => {
    let leaked = 0
    grad((x: number) => {
      leaked = mul(x, 1)
      return x
    })(1)
    expectNamed(
      () => grad((x: number) => checkpoint((z: number) => mul(z, leaked))(x))(2),
      EscapedTracerError,
    )
  })
})

describe('5. a custom function closing over a vmap-batched value', () => {
  it('customJvp: tensor([6]), not a Batched tracer; its rule and grad through it', () => {
    const times = (x: Tensor) =>
      customJvp(
        (b: Tensor) => mul(x, b),
        ([b]: readonly [Tensor], [bDot]: readonly [Tensor]) => [mul(x, b), mul(x, bDot)] as const,
      )
    const out = vmap((x: Tensor, y: Tensor) => times(x)(y))(tensor([2]), tensor([3]))
    expectClose(expectTensor(out, [1]), tensor([6]), 0, 0)
    const loss = (xs: Tensor, ys: Tensor) =>
      sum(vmap((x: Tensor, y: Tensor) => times(x)(y))(xs, ys))
    const [gx, gy] = grad(loss, { argnums: [0, 1] })(tensor([2, 5]), tensor([3, 7]))
    expectClose(gx, tensor([3, 7]), 0, 0)
    expectClose(gy, tensor([2, 5]), 0, 0)
  })

  it('customVjp under grad: the rule for the argument, fwd for the captured value', () => {
    // rule: ȳ·3x for b (not x, its true derivative); the captured x through fwd's x·b
    const loss = (xs: Tensor, ys: Tensor) =>
      sum(
        vmap((x: Tensor, y: Tensor) =>
          customVjp(
            (b: Tensor) => mul(x, b),
            (b: Tensor) => [mul(x, b), null] as const,
            (_r: null, g: Tensor) => [mul(g, mul(3, x))] as const,
          )(y),
        )(xs, ys),
      )
    expectClose(loss(tensor([2, 5]), tensor([3, 7])), 41, 0, 0)
    const [gx, gy] = grad(loss, { argnums: [0, 1] })(tensor([2, 5]), tensor([3, 7]))
    expectClose(gx, tensor([3, 7]), 0, 0)
    expectClose(gy, tensor([6, 15]), 0, 0)
  })

  it('checkpoint: values and per-example gradients', () => {
    const g = (x: Tensor, y: Tensor) => checkpoint((b: Tensor) => mul(sin(x), b))(y)
    const xs = tensor([0.5, 1])
    const ys = tensor([2, -1])
    expectClose(vmap(g)(xs, ys), mul(sin(xs), ys), 0, 0)
    const [gx, gy] = grad((a: Tensor, b: Tensor) => sum(vmap(g)(a, b)), { argnums: [0, 1] })(xs, ys)
    expectClose(gx, mul(cos(xs), ys), 1e-15, 0)
    expectClose(gy, sin(xs), 0, 0)
  })
})

describe('closed-over values: customVjp and customJvp whose rule doubles', () => {
  /** g(x) = x·sin x, the rule giving 2 sin x for the argument, sin x closed over. */
  const viaVjp = (x: number) => {
    const y = sin(x)
    return customVjp(
      (z: number) => mul(z, y),
      (z: number) => [mul(z, y), null] as const,
      (_r: null, g: number) => [mul(g, mul(2, y))] as const,
    )(x)
  }
  const viaJvp = (x: number) => {
    const y = sin(x)
    return customJvp(
      (z: number) => mul(z, y),
      ([z]: readonly [number], [zDot]: readonly [number]) =>
        [mul(z, y), mul(mul(2, y), zDot)] as const,
    )(x)
  }
  const x0 = 0.7
  const d1 = 2 * Math.sin(x0) + x0 * Math.cos(x0)
  const d2 = 3 * Math.cos(x0) - x0 * Math.sin(x0)

  it.each([
    ['customVjp', viaVjp],
    ['customJvp', viaJvp],
  ])('%s: every first-order mode gives the rule plus the captured value’s derivative', (_, g) => {
    expectClose(grad(g)(x0), d1, 1e-15, 1e-15)
    expectClose(jvp(g, [x0], [1])[1], d1, 1e-15, 1e-15)
    expectClose(jacfwd(g)(x0), d1, 1e-15, 1e-15)
    expectClose(jacrev(g)(x0), d1, 1e-15, 1e-15)
    expectClose(linearize(g, x0)[1](1), d1, 1e-15, 1e-15)
    expectClose(derivative(g, 1)(x0), d1, 1e-15, 1e-15)
    expectClose(jit(grad(g))(x0), d1, 1e-15, 1e-15)
  })

  it.each([
    ['customVjp', viaVjp],
    ['customJvp', viaJvp],
  ])('%s: second order in every pairing of modes', (_, g) => {
    expectClose(grad(grad(g))(x0), d2, 1e-14, 1e-15)
    expectClose(jvp(grad(g), [x0], [1])[1], d2, 1e-14, 1e-15)
    expectClose(grad((x: number) => jvp(g, [x], [1])[1])(x0), d2, 1e-14, 1e-15)
    expectClose(hessian(g)(x0), d2, 1e-14, 1e-15)
    expectClose(derivative(g, 2)(x0), d2, 1e-14, 1e-15)
  })

  it('a bwd that closes over a value fwd never uses is an EscapedTracerError naming bwd', () => {
    const late = (x: number) => {
      const y = sin(x)
      return customVjp(
        (z: number) => z,
        (z: number) => [z, null] as const,
        (_r: null, g: number) => [mul(g, y)] as const,
      )(x)
    }
    const e = expectNamed(() => grad(late)(x0), EscapedTracerError)
    expect(e.message).toContain('bwd')
    expect(e.hint).toContain('residuals')
  })
})
