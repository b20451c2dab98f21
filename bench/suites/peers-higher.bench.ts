/**
 * W4, W5 and W6 beside the peers (issue: performance): the Hessian of Σ exp(sin(xᵢ)·xᵢ₊₁), the
 * derivatives of order k of exp(sin x)·x at 0.7, and the Jacobian of tanh(A·x). Inputs,
 * functions and references are those of jacobian.bench.ts and taylor.bench.ts. Each peer is
 * written the way its users would: jax-js by its `hessian`, nested `grad`, `jacrev` and `jacfwd`
 * (wasm device, eager and under `jit`); TensorFlow.js, which has neither forward mode nor a
 * Jacobian, by nested `tf.grad` and by batched pullbacks. fluxion's rows run eagerly and under
 * `jit` (warmed up before timing, see `warmUp` in harness.ts).
 *
 * Every task is validated before it is timed, against the analytic reference (W4, W6) or
 * fluxion's value cross-checked by two methods (W5): float64 at rtol 1e-9 and float32 at 1e-3,
 * relative to the largest reference entry (a matrix's zeros are checked at the matrix's scale).
 * A wrong peer is dropped with its message: TensorFlow.js's second derivatives through exp, and
 * jax-js 0.1.25's jacfwd, which returns the transposed Jacobian.
 */
import {
  derivative,
  hessian,
  jacfwd,
  jacrev,
  jit,
  matmul,
  mul,
  random,
  type Tensor,
  tanh,
} from 'fluxion'
import { type Group, type Task, warmUp, warmUpMs } from '../harness.ts'
import {
  backends,
  type Check,
  type JaxVariant,
  jaxTasks,
  nearScaled,
  type Runs,
  runs,
  tfTask,
} from '../peer-tasks.ts'
import { type Jax, type JaxArray, loadJax, loadTf, type Tf, type TfTensor } from '../peers.ts'
import { chain, chainHessianPlain, tanhJacobianPlain } from './jacobian.bench.ts'
import { nestedGrad, w5, w5At, w5ClosedForm } from './taylor.bench.ts'

// ---- W4: Hessian of Σ exp(sin(xᵢ)·xᵢ₊₁) ----------------------------------------------------

const w4 = (n: number, warm: number, tf: Tf | undefined, jax: Jax | undefined): Group => {
  const x = random.uniform(random.key(4), [n], -2, 2)
  const expected = chainHessianPlain(x.data)
  const check: Check = (got, rtol) => nearScaled(got, expected, rtol)
  const h = hessian(chain)
  const hJit = jit(hessian(chain))
  const jaxChain =
    (j: Jax) =>
    (v: JaxArray): JaxArray =>
      j.numpy.exp(j.numpy.sin(v.ref.slice([0, n - 1])).mul(v.slice([1, n]))).sum()
  const tfChain = (t: Tf) => (v: TfTensor) =>
    t.sum(t.exp(t.mul(t.sin(t.slice(v, [0], [n - 1])), t.slice(v, [1], [n - 1]))))
  const tfHessian = (t: Tf): (() => TfTensor) => {
    // no hessian in TF.js: row i is tf.grad of the function returning entry i of the gradient
    const g = t.grad(tfChain(t))
    const rows = Array.from({ length: n }, (_, i) => t.grad((v) => t.sum(t.slice(g(v), [i], [1]))))
    const xTf = t.tensor1d(Float32Array.from(x.data), 'float32')
    return () => t.stack(rows.map((row) => row(xTf)))
  }
  const jaxVariants = (j: Jax): JaxVariant[] =>
    [...runs, ['float32', false] as const].map(([dtype, jit]) => ({
      label: 'hessian',
      dtype,
      jit,
      make: () => j.hessian(jaxChain(j)),
    }))
  return {
    title: `peers W4: Hessian of Σ exp(sin(xᵢ)·xᵢ₊₁), n=${n}`,
    baseline: 'analytic (plain JS)',
    tasks: [
      {
        name: 'analytic (plain JS)',
        fn: () => chainHessianPlain(x.data),
        validate: () => nearScaled(chainHessianPlain(x.data), h(x).data, 1e-12),
      },
      { name: 'fluxion hessian (float64)', fn: () => h(x), validate: () => check(h(x).data, 1e-9) },
      {
        name: 'fluxion jit(hessian) (float64)',
        setup: warmUp(() => hJit(x), warm),
        fn: () => hJit(x),
        validate: () => check(hJit(x).data, 1e-9),
      },
      ...(tf === undefined
        ? []
        : backends.map((b) =>
            tfTask(tf, b, 'tf.grad of each gradient entry', tfHessian(tf), check),
          )),
      ...(jax === undefined ? [] : jaxTasks(jax, Array.from(x.data), [n], check, jaxVariants(jax))),
    ],
  }
}

// ---- W5: derivatives of order k of exp(sin x)·x at 0.7 ---------------------------------------

const w5Group = (k: number, warm: number, tf: Tf | undefined, jax: Jax | undefined): Group => {
  const taylor = derivative(w5, k)
  const taylorJit = jit(derivative(w5, k))
  const nested = nestedGrad(w5, k)
  // the reference: fluxion's Taylor value, which its own task cross-checks before any timing
  const expected = [taylor(w5At)]
  const check: Check = (got, rtol) => nearScaled(got, expected, rtol)
  const nestJax = (j: Jax) => (): ((x: JaxArray) => JaxArray) => {
    let g = (x: JaxArray): JaxArray => j.numpy.exp(j.numpy.sin(x.ref)).mul(x)
    for (let i = 0; i < k; i++) g = j.grad(g)
    return g
  }
  const nestTf = (t: Tf): (() => TfTensor) => {
    let g = (x: TfTensor): TfTensor => t.mul(t.exp(t.sin(x)), x)
    for (let i = 0; i < k; i++) g = t.grad(g)
    const x0 = t.scalar(w5At, 'float32')
    return () => g(x0)
  }
  const jaxVariants = (j: Jax): JaxVariant[] =>
    runs.map(([dtype, jit]) => ({ label: `${k} nested grads`, dtype, jit, make: nestJax(j) }))
  return {
    title: `peers W5: derivative of order ${k} of exp(sin x)·x at ${w5At}`,
    baseline: `fluxion derivative(f, ${k})`,
    tasks: [
      {
        name: `fluxion derivative(f, ${k})`,
        fn: () => taylor(w5At),
        validate: () => {
          // Taylor mode against nested grads (two methods), and orders 1, 2 the closed forms
          nearScaled([taylor(w5At)], [nested(w5At)], 1e-12)
          const closed = w5ClosedForm(k, w5At)
          if (closed !== undefined) nearScaled([taylor(w5At)], [closed], 1e-13)
        },
      },
      {
        name: `fluxion jit(derivative(f, ${k}))`,
        setup: warmUp(() => taylorJit(w5At), warm),
        fn: () => taylorJit(w5At),
        validate: () => check([taylorJit(w5At)], 1e-12),
      },
      {
        name: `fluxion ${k} nested grads`,
        fn: () => nested(w5At),
        validate: () => check([nested(w5At)], 1e-12),
      },
      ...(tf === undefined
        ? []
        : backends.map((b) => tfTask(tf, b, `${k} nested tf.grad`, nestTf(tf), check))),
      ...(jax === undefined ? [] : jaxTasks(jax, [w5At], [], check, jaxVariants(jax))),
    ],
  }
}

// ---- W6: Jacobian of tanh(A·x) ----------------------------------------------------------------

const w6 = (n: number, warm: number, tf: Tf | undefined, jax: Jax | undefined): Group => {
  // the inputs of jacobian.bench.ts
  const [ka, kx] = random.split(random.key(6), 2) as [random.Key, random.Key]
  const A = mul(1 / Math.sqrt(n), random.normal(ka, [n, n]))
  const x = random.normal(kx, [n])
  const f = (v: Tensor) => tanh(matmul(A, v))
  const expected = tanhJacobianPlain(A.data, x.data, n)
  const transposed = expected.map((_, k) => expected[(k % n) * n + Math.floor(k / n)]!)
  // the true layout is J[out][in]; a result that matches only its transpose says so
  const check: Check = (got, rtol) => {
    try {
      nearScaled(got, expected, rtol)
    } catch (e) {
      let isTransposed = true
      try {
        nearScaled(got, transposed, Math.max(rtol, 1e-5))
      } catch {
        isTransposed = false
      }
      if (isTransposed)
        throw new Error('returns the transposed Jacobian, laid out [in, out], not [out, in]')
      throw e
    }
  }
  const fwd = jacfwd(f)
  const rev = jacrev(f)
  // under jit the basis tangents and A are constants: the program folds A·I at trace time
  const fwdJit = jit(jacfwd(f))
  const revJit = jit(jacrev(f))
  const jitTask = (label: string, J: (v: Tensor) => Tensor): Task => ({
    name: `fluxion jit(${label}) (float64)`,
    setup: warmUp(() => J(x), warm),
    fn: () => J(x),
    validate: () => check(J(x).data, 1e-9),
  })
  const jaxTanh = (j: Jax) => (dtype: unknown) => {
    const Aj = j.numpy.array(Array.from(A.data), { dtype }).reshape([n, n])
    // A is a captured constant: lent to each call
    return (v: JaxArray): JaxArray => j.numpy.tanh(j.numpy.matmul(Aj.ref, v))
  }
  const jaxVariants = (j: Jax, label: 'jacrev' | 'jacfwd', of: Runs): JaxVariant[] =>
    of.map(([dtype, jit]) => ({ label, dtype, jit, make: (dt) => j[label](jaxTanh(j)(dt)) }))
  const tfBatched = (t: Tf): (() => TfTensor) => {
    // no forward mode and no jacobian in TF.js: evaluate f on n copies of x (the rows of X) and
    // pull back the identity cotangent at once; row i of ∂/∂X is then row i of the Jacobian
    const At = t.tensor2d(Float32Array.from(A.data), [n, n], 'float32')
    const xt = t.tensor1d(Float32Array.from(x.data), 'float32')
    const eye = t.eye(n)
    const pullback = t.grad((X) => t.tanh(t.matMul(X, At, false, true)))
    return () => pullback(t.tile(t.expandDims(xt, 0), [n, 1]), eye)
  }
  return {
    title: `peers W6: Jacobian of tanh(A·x), A ${n}×${n}`,
    baseline: 'analytic (plain JS)',
    tasks: [
      {
        name: 'analytic (plain JS)',
        fn: () => tanhJacobianPlain(A.data, x.data, n),
        validate: () => nearScaled(expected, rev(x).data, 1e-12),
      },
      {
        name: 'fluxion jacfwd (float64)',
        fn: () => fwd(x),
        validate: () => check(fwd(x).data, 1e-9),
      },
      {
        name: 'fluxion jacrev (float64)',
        fn: () => rev(x),
        validate: () => check(rev(x).data, 1e-9),
      },
      jitTask('jacfwd', fwdJit),
      jitTask('jacrev', revJit),
      ...(tf === undefined
        ? []
        : backends.map((b) =>
            tfTask(tf, b, 'batched pullback of the identity', tfBatched(tf), check),
          )),
      ...(jax === undefined
        ? []
        : [
            ...jaxTasks(jax, Array.from(x.data), [n], check, jaxVariants(jax, 'jacrev', runs)),
            // jacfwd's rows are dropped for their layout, at any precision: no intrinsics twin
            ...jaxTasks(
              jax,
              Array.from(x.data),
              [n],
              check,
              jaxVariants(jax, 'jacfwd', runs),
              false,
            ),
          ]),
    ],
  }
}

export const peerHigherGroups = async (quick: boolean): Promise<Group[]> => {
  const [tf, jax] = [await loadTf(), await loadJax()]
  const orders = quick ? [2, 6, 8] : [1, 2, 4, 6, 8]
  const warm = warmUpMs(quick)
  return [
    w4(quick ? 50 : 100, warm, tf, jax),
    ...orders.map((k) => w5Group(k, warm, tf, jax)),
    w6(quick ? 100 : 200, warm, tf, jax),
  ]
}
