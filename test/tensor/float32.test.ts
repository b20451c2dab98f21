/**
 * The float32 dtype: storage, creation, promotion (JAX's, with weakly typed JS numbers),
 * `astype`, and dtypes through every transformation, custom rules, control flow, closures and
 * `jit` on the second call. The registry-wide float32 laws are in laws/float32.laws.test.ts.
 */
import fc from 'fast-check'
import {
  add,
  arange,
  astype,
  broadcastTo,
  cond,
  customVjp,
  exp,
  eye,
  full,
  grad,
  hessian,
  InvalidArgumentError,
  jacfwd,
  jacrev,
  jit,
  jvp,
  linspace,
  matmul,
  mul,
  ones,
  random,
  scalar,
  scan,
  sin,
  sum,
  type Tensor,
  take,
  tensor,
  vjp,
  vmap,
  where,
  zeros,
} from 'fluxion'
import { cholesky, det, eigh, inv, matrixPower, pinv } from 'fluxion/linalg'
import { glorotUniform, heNormal } from 'fluxion/nn'
import { adam, sgd, trainStep } from 'fluxion/optim'
import { describe, expect, it } from 'vitest'

const f32 = (v: number[] | number[][]): Tensor => tensor(v, { dtype: 'float32' })

describe('storage and creation', () => {
  it('float32 tensors store Float32Array and round each value to nearest', () => {
    const x = f32([0.1, 1 / 3, 1e-46, 3.5e38])
    expect(x.dtype).toBe('float32')
    expect(x.data).toBeInstanceOf(Float32Array)
    expect(Array.from(x.data)).toEqual([
      Math.fround(0.1),
      Math.fround(1 / 3),
      0,
      Number.POSITIVE_INFINITY,
    ])
    expect(tensor([1, 2]).dtype).toBe('float64')
    expect(tensor(Float32Array.of(1, 2)).dtype).toBe('float32')
    expect(tensor(Float32Array.of(1, 2), { dtype: 'float64' }).dtype).toBe('float64')
    expect(tensor([1, 2, 3, 4], [2, 2], { dtype: 'float32' }).shape).toEqual([2, 2])
  })

  it('every creation function takes { dtype }', () => {
    const opt = { dtype: 'float32' } as const
    for (const t of [
      scalar(0.1, opt),
      zeros([2], opt),
      ones([2], opt),
      full([2], 0.1, opt),
      eye(2, 2, 0, opt),
      arange(3, opt),
      arange(0, 1, 0.25, opt),
      linspace(0, 1, 3, opt),
      random.uniform(random.key(0), [4], 0, 1, opt),
      random.normal(random.key(0), [4], 0, 1, opt),
      random.bernoulli(random.key(0), [4], 0.5, opt),
      glorotUniform(random.key(0), [3, 2], opt),
      heNormal(random.key(0), [3, 2], opt),
    ]) {
      expect(t.dtype).toBe('float32')
      expect(t.data).toBeInstanceOf(Float32Array)
    }
    expect(full([1], 0.1, opt).data[0]).toBe(Math.fround(0.1))
  })

  it('float32 uniform samples stay below high even where float32 rounds up', () => {
    const u = random.uniform(random.key(3), [20000], 0, 1, { dtype: 'float32' })
    expect(Math.max(...u.data)).toBeLessThan(1)
    expect(Math.min(...u.data)).toBeGreaterThanOrEqual(0)
  })

  it('a dtype other than float64 and float32 is refused by name', () => {
    const bad = { dtype: 'float16' } as unknown as { dtype: 'float32' }
    expect(() => zeros([2], bad)).toThrow(InvalidArgumentError)
    expect(() => tensor([1], bad)).toThrow(/unknown dtype 'float16'/)
    // a misspelt option is refused, in either position
    const typo = { dtyp: 'float32' } as unknown as { dtype: 'float32' }
    expect(() => tensor([1], typo)).toThrow(/unknown option 'dtyp'/)
    expect(() => tensor([1], [1], typo)).toThrow(/unknown option 'dtyp'/)
    expect(() => astype(tensor([1]), 'int32' as 'float32')).toThrow(InvalidArgumentError)
  })
})

describe('promotion', () => {
  const x = f32([1, 2])
  const y = tensor([0.5, 0.25])
  it('float32 with float64 is float64; with a JS number it stays float32 (weak typing)', () => {
    expect(add(x, y).dtype).toBe('float64')
    expect(add(y, x).dtype).toBe('float64')
    expect(mul(x, 0.1).dtype).toBe('float32')
    expect(mul(x, 0.1).data[1]).toBe(Math.fround(Math.fround(2) * 0.1))
    // a rank-0 tensor is strongly typed, as a jnp array is
    expect(mul(x, scalar(0.1)).dtype).toBe('float64')
    expect(mul(x, scalar(0.1, { dtype: 'float32' })).dtype).toBe('float32')
  })

  it('conditions and indices do not take part', () => {
    expect(where(tensor([1, 0]), x, x).dtype).toBe('float32')
    expect(take(x, tensor([1, 0])).dtype).toBe('float32')
  })

  it('each op rounds once: float32 results are float64 results rounded', () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true, min: -10, max: 10 }), (v) => {
        const a = f32([v, 2 * v])
        const expected = Array.from(astype(exp(sin(a)), 'float64').data)
        const reference = Array.from(a.data, (t) => Math.fround(Math.exp(Math.fround(Math.sin(t)))))
        expect(expected).toEqual(reference)
      }),
    )
  })
})

describe('weak typing', () => {
  const x = f32([1, 2, 3])
  it('a tensor made of JS numbers alone is weak and takes the dtype it meets', () => {
    const two = broadcastTo(2, [3])
    expect(two.weak).toBe(true)
    expect(two.dtype).toBe('float64')
    expect(mul(x, two).dtype).toBe('float32')
    expect(mul(x, two).weak).toBe(false)
    const mask = where(tensor([1, 0, 1]), 1, 0)
    expect(mask.weak).toBe(true)
    expect(mul(x, mask).dtype).toBe('float32')
    // a weak tensor with a float64 one, or alone, is float64
    expect(add(two, tensor([1, 2, 3])).dtype).toBe('float64')
    expect(exp(two).weak).toBe(true)
    expect(tensor([1, 2]).weak).toBe(false)
  })

  it('weak typing survives jit: first call and replays, inside the program and at its outputs', () => {
    // a weak intermediate must not promote the float32 input; a weak output stays weak
    const inside = jit((v: Tensor) => mul(v, add(broadcastTo(2, [3]), 1)))
    const outside = jit((v: Tensor) => [add(broadcastTo(2, [3]), 1), mul(v, 1)] as const)
    for (let call = 0; call < 3; call++) {
      const y = inside(x)
      expect(y.dtype, `call ${call}`).toBe('float32')
      expect(Array.from(y.data)).toEqual([3, 6, 9])
      const [w, v] = outside(x)
      expect(w.weak, `call ${call}`).toBe(true)
      expect(mul(x, w).dtype).toBe('float32')
      expect(v.weak).toBe(false)
    }
  })

  it('float32 derivatives of linear algebra and gathers compute in float32 throughout', () => {
    const a = f32([
      [4, 1, 0.5],
      [1, 3, 0.25],
      [0.5, 0.25, 2],
    ])
    const ops: [string, (m: Tensor) => Tensor][] = [
      ['cholesky', (m) => sum(cholesky(m))],
      ['det', (m) => det(m)],
      ['inv', (m) => sum(inv(m))],
      ['eigh', (m) => sum(eigh(m).eigenvalues)],
      ['pinv', (m) => sum(pinv(m))],
      ['take', (m) => sum(take(m, tensor([2, 0]), 1))],
      ['matrixPower', (m) => sum(matrixPower(m, 3))],
    ]
    for (const [name, f] of ops) {
      // every value the program computes is float32 (its constants may be weak masks)
      const computed = jit(grad(f))
        .trace(a)
        .toString()
        .split('\n')
        .filter((line) => line.includes(' = '))
      expect(computed.length, name).toBeGreaterThan(0)
      for (const line of computed) expect(line.split(' = ')[0], name).not.toContain('f64[')
      expect(grad(f)(a).dtype, name).toBe('float32')
    }
    expect(matrixPower(a, 0).dtype).toBe('float32')
  })
})

describe('astype', () => {
  it('narrows with rounding, keeps −0, NaN and ±∞, overflows to ∞, widens exactly', () => {
    const x = tensor([-0, Number.NaN, Number.NEGATIVE_INFINITY, 1e39, 0.1])
    const y = astype(x, 'float32')
    expect(Object.is(y.data[0], -0)).toBe(true)
    expect(y.data[1]).toBeNaN()
    expect(y.data[2]).toBe(Number.NEGATIVE_INFINITY)
    expect(y.data[3]).toBe(Number.POSITIVE_INFINITY)
    expect(astype(y, 'float64').data[4]).toBe(Math.fround(0.1))
    expect(astype(0.1, 'float32').shape).toEqual([])
    // a copy, never a view of the input
    const same = astype(x, 'float64')
    expect(same.data).not.toBe(x.data)
    expect(astype(zeros([0, 3]), 'float32').shape).toEqual([0, 3])
  })

  it('its derivative converts tangents forward and cotangents back', () => {
    const x = tensor([0.5, 2])
    const g = grad((v: Tensor) => sum(mul(astype(v, 'float32'), astype(v, 'float32'))))(x)
    expect(g.dtype).toBe('float64')
    expect(Array.from(g.data)).toEqual([1, 4])
    const [, yDot] = jvp((v: Tensor) => astype(v, 'float32'), [x], [tensor([1, 1])])
    expect((yDot as Tensor).dtype).toBe('float32')
  })
})

describe('derivatives have the dtype of their primal', () => {
  const x = f32([0.3, -1.2, 2])
  const c = tensor([0.1, 0.2, 0.3])
  // a float64 constant promotes the computation; the gradient of x is still float32
  const f = (v: Tensor) => sum(mul(sin(v), add(v, c)))
  const g = (v: Tensor) => sum(mul(sin(v), exp(v)))

  it('grad, vjp, jvp, jacfwd, jacrev, hessian', () => {
    expect(grad(f)(x).dtype).toBe('float32')
    expect(grad(g)(x).dtype).toBe('float32')
    expect(vjp(g, x)[1](scalar(1, { dtype: 'float32' }))[0].dtype).toBe('float32')
    expect((jvp(g, [x], [f32([1, 0, 0])])[1] as Tensor).dtype).toBe('float32')
    expect(jacfwd((v: Tensor) => sin(v))(x).dtype).toBe('float32')
    expect(jacrev((v: Tensor) => sin(v))(x).dtype).toBe('float32')
    expect(hessian(g)(x).dtype).toBe('float32')
    const second = grad(grad((v: Tensor) => sum(exp(mul(v, v)))))(scalar(0.5, { dtype: 'float32' }))
    expect(second.dtype).toBe('float32')
    expect(Math.abs(second.item() - (2 + 4 * 0.25) * Math.exp(0.25))).toBeLessThan(1e-5)
  })

  it('float32 gradients agree with float64 ones to float32 accuracy', () => {
    const g32 = grad(g)(x)
    const g64 = grad(g)(astype(x, 'float64'))
    for (let i = 0; i < g32.size; i++)
      expect(Math.abs(g32.data[i]! - g64.data[i]!)).toBeLessThan(1e-5)
  })

  it('vmap and jit keep float32, on the second call too', () => {
    const batch = f32([
      [1, 2],
      [3, 4],
    ])
    expect(vmap((v: Tensor) => sum(sin(v)))(batch).dtype).toBe('float32')
    const jg = jit(grad(g))
    const eager = grad(g)(x)
    for (let call = 0; call < 2; call++) {
      const r = jg(x)
      expect(r.dtype).toBe('float32')
      // fused chains round where they write, eager mode after every op: a few ulps apart
      for (let i = 0; i < r.size; i++) {
        expect(Math.abs(r.data[i]! - eager.data[i]!)).toBeLessThanOrEqual(2 ** -20)
      }
    }
    // a float64 call of the same shape is another program
    expect(jg(astype(x, 'float64')).dtype).toBe('float64')
    expect(jg(x).dtype).toBe('float32')
  })

  it('jit fuses float32 chains into loops that round once, where they write', () => {
    fc.assert(
      fc.property(
        fc.array(fc.float({ noNaN: true, min: -4, max: 4 }), { minLength: 1, maxLength: 9 }),
        fc.double({ noNaN: true, min: -3, max: 3 }),
        (values, c) => {
          const v = f32(values)
          const w = f32(values.map((t) => t / 2 + 0.25))
          // one loop: every op elementwise on one shape
          const chain = (a: Tensor, b: Tensor) =>
            add(mul(exp(sin(mul(a, c))), b), mul(a, add(b, c)))
          const eager = chain(v, w)
          // the whole chain in float64 on the same values, rounded once
          const once = astype(chain(astype(v, 'float64'), astype(w, 'float64')), 'float32')
          const compiled = jit(chain)
          for (let call = 0; call < 2; call++) {
            const y = compiled(v, w)
            expect(y.dtype).toBe('float32')
            expect(Array.from(y.data)).toEqual(Array.from(once.data))
            // eager float32 rounds after each of the 7 ops (exp amplifies by up to e): within a few
            // float32 ulps of the scale
            const scale = Math.max(1, ...Array.from(once.data, Math.abs))
            for (let i = 0; i < y.size; i++) {
              expect(Math.abs(y.data[i]! - eager.data[i]!)).toBeLessThanOrEqual(2 ** -17 * scale)
            }
          }
          expect(compiled.trace(v, w).stats).toMatchObject({ kernels: 0, loops: 1, fused: 7 })
          expect(compiled.trace(v, w).toString()).toContain('f32[')
        },
      ),
    )
  })

  it('through a custom rule whose cotangent is float64', () => {
    const square = customVjp(
      (v: Tensor) => mul(v, v),
      (v: Tensor) => [mul(v, v), v] as const,
      (v: Tensor, yBar: Tensor) => [mul(mul(astype(v, 'float64'), 2), yBar)],
    )
    const gr = grad((v: Tensor) => sum(square(v)))(x)
    expect(gr.dtype).toBe('float32')
    expect(Array.from(gr.data)).toEqual(Array.from(x.data, (v) => Math.fround(2 * v)))
  })

  it('through a closure over a float32 constant, and control flow', () => {
    const w = f32([0.5, 0.25, 2])
    const h = (v: Tensor) => sum(mul(w, sin(v)))
    expect(grad(h)(x).dtype).toBe('float32')
    expect(jit(grad(h))(x).dtype).toBe('float32')
    const loop = (v: Tensor) =>
      sum(
        scan(
          (carry: Tensor, step: Tensor) => [mul(carry, step), carry] as const,
          v,
          f32([
            [1, 2, 3],
            [0.5, 0.5, 0.5],
          ]),
        )[0],
      )
    expect(grad(loop)(x).dtype).toBe('float32')
    expect(jit(grad(loop))(x).dtype).toBe('float32')
    const branch = (v: Tensor) =>
      cond(
        1,
        (u: Tensor) => sum(sin(u)),
        (u: Tensor) => sum(u),
        v,
      )
    expect(grad(branch)(x).dtype).toBe('float32')
  })

  it('matmul and a training step keep float32 parameters', () => {
    const W = glorotUniform(random.key(1), [3, 2], { dtype: 'float32' })
    const X = f32([
      [1, 2, 3],
      [0, -1, 0.5],
    ])
    expect(matmul(X, W).dtype).toBe('float32')
    const loss = (p: { W: Tensor }, data: Tensor) => sum(mul(matmul(data, p.W), matmul(data, p.W)))
    for (const optimizer of [sgd(0.1, { momentum: 0.9 }), adam(0.01)]) {
      for (const compiled of [false, 'step'] as const) {
        const step = trainStep(loss, optimizer, { jit: compiled })
        let params = { W }
        let state = optimizer.init(params)
        for (let i = 0; i < 3; i++) [params, state] = step(params, state, X)
        expect(params.W.dtype).toBe('float32')
      }
    }
  })
})
