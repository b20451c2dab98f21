/**
 * Jacobian workloads (group titles start with "Jacobians", so `npm run bench -- Jacobian` runs
 * exactly these). W6: the Jacobian of tanh(A·x), A n×n, by `jacfwd` (one chunked forward
 * pass; also with smaller chunks) and by `jacrev`, against the analytic (1 − tanh²(A·x)ᵢ)·Aᵢⱼ.
 * W4: the Hessian of Σ exp(sin(xᵢ)·xᵢ₊₁) by `hessian` (forward-over-reverse) and the other
 * three compositions of jacfwd and jacrev, against the analytic tridiagonal Hessian; `jacfwd`,
 * `jacrev` and `hessian` also under `jit` (warmed up before timing). Per-example gradients of a
 * one-hidden-layer network by `vmap(grad(loss))` and by a loop of `grad`, against hand-written
 * backpropagation. Every reference is written with plain loops over
 * Float64Arrays.
 */
import {
  add,
  dot,
  exp,
  type Floats,
  grad,
  hessian,
  index,
  jacfwd,
  jacrev,
  jit,
  matmul,
  mul,
  random,
  sin,
  slice,
  square,
  sub,
  sum,
  type Tensor,
  tanh,
  vmap,
} from 'fluxion'
import { type Group, type Task, warmUp, warmUpMs } from '../harness.ts'

const near = (a: ArrayLike<number>, b: ArrayLike<number>, rtol = 1e-9, atol = 1e-12): void => {
  if (a.length !== b.length) throw new Error(`length ${a.length} ≠ ${b.length}`)
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!)
    if (!(d <= atol + rtol * Math.abs(b[i]!))) throw new Error(`at ${i}: ${a[i]} ≠ ${b[i]}`)
  }
}

const shapeIs = (t: Tensor, shape: readonly number[]): void => {
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new Error(`shape [${t.shape}] ≠ [${shape}]`)
  }
}

// ---- W6: Jacobian of tanh(A·x) ------------------------------------------------------------

/** J[i][j] = (1 − tanh²((A·x)ᵢ))·A[i][j], row-major, with plain loops. */
export const tanhJacobianPlain = (A: Floats, x: Floats, n: number): Float64Array => {
  const J = new Float64Array(n * n)
  for (let i = 0; i < n; i++) {
    let z = 0
    for (let k = 0; k < n; k++) z += A[i * n + k]! * x[k]!
    const t = Math.tanh(z)
    const d = 1 - t * t
    for (let j = 0; j < n; j++) J[i * n + j] = d * A[i * n + j]!
  }
  return J
}

const w6 = (quick: boolean): Group => {
  const n = quick ? 100 : 200
  const [ka, kx] = random.split(random.key(6), 2) as [random.Key, random.Key]
  const A = mul(1 / Math.sqrt(n), random.normal(ka, [n, n]))
  const x = random.normal(kx, [n])
  const f = (v: Tensor) => tanh(matmul(A, v))
  const expected = tanhJacobianPlain(A.data, x.data, n)
  const check = (J: Tensor) => {
    shapeIs(J, [n, n])
    near(J.data, expected)
  }
  const fwd = jacfwd(f)
  const fwdChunked = jacfwd(f, { chunkSize: 25 })
  const rev = jacrev(f)
  // under jit the basis tangents and A are constants: the program folds A·I at trace time
  const fwdJit = jit(jacfwd(f))
  const revJit = jit(jacrev(f))
  const jitTask = (name: string, J: (v: Tensor) => Tensor): Task => ({
    name,
    setup: warmUp(() => J(x), warmUpMs(quick)),
    fn: () => J(x),
    validate: () => check(J(x)),
  })
  return {
    title: `Jacobians W6: tanh(A·x), A ${n}×${n}`,
    baseline: 'analytic (plain JS)',
    tasks: [
      {
        name: 'analytic (plain JS)',
        fn: () => tanhJacobianPlain(A.data, x.data, n),
        validate: () => near(tanhJacobianPlain(A.data, x.data, n), fwd(x).data),
      },
      { name: 'jacfwd (default chunk)', fn: () => fwd(x), validate: () => check(fwd(x)) },
      {
        name: 'jacfwd chunkSize 25',
        fn: () => fwdChunked(x),
        validate: () => check(fwdChunked(x)),
      },
      { name: 'jacrev (default chunk)', fn: () => rev(x), validate: () => check(rev(x)) },
      jitTask('jit(jacfwd) (default chunk)', fwdJit),
      jitTask('jit(jacrev) (default chunk)', revJit),
    ],
  }
}

// ---- W4: Hessian of Σ exp(sin(xᵢ)·xᵢ₊₁) ----------------------------------------------------

export const chain = (x: Tensor) => {
  const n = x.shape[0]!
  return sum(exp(mul(sin(slice(x, [0], [n - 1])), slice(x, [1]))))
}

/**
 * The analytic Hessian, tridiagonal. With uᵢ = sin(xᵢ)·xᵢ₊₁ and eᵢ = exp(uᵢ), the term eᵢ adds
 * eᵢ·(∇uᵢ∇uᵢᵀ + ∇²uᵢ) on {i, i+1}, where ∇uᵢ = (cos xᵢ·xᵢ₊₁, sin xᵢ) and
 * ∇²uᵢ = [[−sin xᵢ·xᵢ₊₁, cos xᵢ], [cos xᵢ, 0]].
 */
export const chainHessianPlain = (x: Floats): Float64Array => {
  const n = x.length
  const H = new Float64Array(n * n)
  for (let i = 0; i + 1 < n; i++) {
    const s = Math.sin(x[i]!)
    const c = Math.cos(x[i]!)
    const y = x[i + 1]!
    const e = Math.exp(s * y)
    const off = e * (c * y * s + c)
    H[i * n + i]! += e * (c * c * y * y - s * y)
    H[i * n + i + 1]! += off
    H[(i + 1) * n + i]! += off
    H[(i + 1) * n + i + 1]! += e * s * s
  }
  return H
}

const w4 = (quick: boolean): Group => {
  const n = quick ? 50 : 100
  const x = random.uniform(random.key(4), [n], -2, 2)
  const expected = chainHessianPlain(x.data)
  const check = (H: Tensor) => {
    shapeIs(H, [n, n])
    near(H.data, expected)
  }
  const hJit = jit(hessian(chain))
  const variants: [string, (v: Tensor) => Tensor][] = [
    ['hessian (jacfwd∘jacrev)', hessian(chain)],
    ['jacrev∘jacfwd', jacrev(jacfwd(chain))],
    ['jacrev∘jacrev', jacrev(jacrev(chain))],
    ['jacfwd∘jacfwd', jacfwd(jacfwd(chain))],
  ]
  return {
    title: `Jacobians W4: Hessian of Σ exp(sin(xᵢ)·xᵢ₊₁), n=${n}`,
    baseline: 'analytic (plain JS)',
    tasks: [
      {
        name: 'analytic (plain JS)',
        fn: () => chainHessianPlain(x.data),
        validate: () => near(chainHessianPlain(x.data), hessian(chain)(x).data),
      },
      ...variants.map(([name, h]) => ({ name, fn: () => h(x), validate: () => check(h(x)) })),
      {
        name: 'jit(hessian)',
        setup: warmUp(() => hJit(x), warmUpMs(quick)),
        fn: () => hJit(x),
        validate: () => check(hJit(x)),
      },
    ],
  }
}

// ---- per-example gradients ------------------------------------------------------------------

interface Mlp {
  readonly W: Tensor
  readonly b: Tensor
  readonly v: Tensor
}

/** (v·tanh(x·W + b) − y)² for one example: x of shape [d], y a rank-0 tensor. */
const loss = (p: Mlp, x: Tensor, y: Tensor) =>
  square(sub(dot(tanh(add(matmul(x, p.W), p.b)), p.v), y))

/** Hand-written backpropagation for every example: rows of dW, db, dv, concatenated. */
const perExamplePlain = (p: Mlp, X: Floats, Y: Floats, d: number, h: number) => {
  const m = Y.length
  const dW = new Float64Array(m * d * h)
  const db = new Float64Array(m * h)
  const dv = new Float64Array(m * h)
  const hidden = new Float64Array(h)
  for (let e = 0; e < m; e++) {
    let out = 0
    for (let j = 0; j < h; j++) {
      let z = p.b.data[j]!
      for (let i = 0; i < d; i++) z += X[e * d + i]! * p.W.data[i * h + j]!
      hidden[j] = Math.tanh(z)
      out += hidden[j]! * p.v.data[j]!
    }
    const r2 = 2 * (out - Y[e]!)
    for (let j = 0; j < h; j++) {
      dv[e * h + j] = r2 * hidden[j]!
      const dz = r2 * p.v.data[j]! * (1 - hidden[j]! * hidden[j]!)
      db[e * h + j] = dz
      for (let i = 0; i < d; i++) dW[(e * d + i) * h + j] = X[e * d + i]! * dz
    }
  }
  return { W: dW, b: db, v: dv }
}

const perExample = (quick: boolean): Group => {
  const [m, d, h] = [quick ? 32 : 64, 8, 16]
  const [k1, k2, k3, k4] = random.split(random.key(64), 4) as [
    random.Key,
    random.Key,
    random.Key,
    random.Key,
  ]
  const p: Mlp = {
    W: mul(1 / Math.sqrt(d), random.normal(k1, [d, h])),
    b: random.normal(k2, [h], 0, 0.1),
    v: random.normal(k3, [h]),
  }
  const [kx, ky] = random.split(k4, 2) as [random.Key, random.Key]
  const X = random.normal(kx, [m, d])
  const Y = random.normal(ky, [m])
  const rows = Array.from({ length: m }, (_, e) => [index(X, e), index(Y, e)] as const)
  const expected = perExamplePlain(p, X.data, Y.data, d, h)
  const vmapped = vmap(grad(loss), { inAxes: [null, 0, 0] })
  const g = grad(loss)
  const looped = () => rows.map(([x, y]) => g(p, x, y))
  const check = (W: ArrayLike<number>, b: ArrayLike<number>, v: ArrayLike<number>) => {
    near(W, expected.W)
    near(b, expected.b)
    near(v, expected.v)
  }
  const flat = (parts: readonly Tensor[]) => parts.flatMap((t) => Array.from(t.data))
  return {
    title: `Jacobians: per-example gradients, batch ${m}, MLP ${d}→${h}→1`,
    baseline: 'loop of grad',
    tasks: [
      {
        name: 'hand-written backprop',
        fn: () => perExamplePlain(p, X.data, Y.data, d, h),
        validate: () => {
          const r = perExamplePlain(p, X.data, Y.data, d, h)
          check(r.W, r.b, r.v)
        },
      },
      {
        name: 'loop of grad',
        fn: looped,
        validate: () => {
          const gs = looped()
          check(flat(gs.map((q) => q.W)), flat(gs.map((q) => q.b)), flat(gs.map((q) => q.v)))
        },
      },
      {
        name: 'vmap(grad(loss))',
        fn: () => vmapped(p, X, Y),
        validate: () => {
          const r = vmapped(p, X, Y)
          shapeIs(r.W, [m, d, h])
          check(r.W.data, r.b.data, r.v.data)
        },
      },
    ],
  }
}

export const jacobianGroups = (quick: boolean): Group[] => [w6(quick), w4(quick), perExample(quick)]
