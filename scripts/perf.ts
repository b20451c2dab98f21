import { add, grad, mul, square, sub, sum, tensor, slice, Tensor } from 'fluxion'
const n = 100_000
const xs = Array.from({ length: n }, (_, i) => 1 + 0.1 * Math.sin(i))
const rosen = (x: readonly number[]) => {
  let acc = 0
  for (let i = 0; i < x.length - 1; i++) {
    acc = add(acc, add(mul(100, square(sub(x[i + 1]!, square(x[i]!)))), square(sub(1, x[i]!))))
  }
  return acc
}
const rosenPlain = (x: readonly number[]) => {
  let acc = 0
  for (let i = 0; i < x.length - 1; i++) acc += 100 * (x[i + 1]! - x[i]! ** 2) ** 2 + (1 - x[i]!) ** 2
  return acc
}
const gradPlain = (x: readonly number[]) => {
  const g = new Float64Array(x.length)
  for (let i = 0; i < x.length - 1; i++) {
    const d = x[i + 1]! - x[i]! * x[i]!
    g[i]! += -400 * x[i]! * d - 2 * (1 - x[i]!)
    g[i + 1]! += 200 * d
  }
  return g
}
const time = (name: string, f: () => unknown, reps = 20) => {
  for (let i = 0; i < 3; i++) f()
  const t0 = performance.now()
  for (let i = 0; i < reps; i++) f()
  const ms = (performance.now() - t0) / reps
  console.log(name, ms.toFixed(3), 'ms')
  return ms
}
const ops = 7 * (n - 1)
time('plain eval', () => rosenPlain(xs))
time('fluxion eval', () => rosen(xs))
time('plain grad', () => gradPlain(xs))
const g = grad(rosen)
const ms = time('fluxion grad', () => g(xs), 10)
console.log('ns/op', (ms * 1e6 / ops).toFixed(1))
const a = g(xs), b = gradPlain(xs)
let err = 0; for (let i = 0; i < n; i++) err = Math.max(err, Math.abs(a[i]! - b[i]!))
console.log('maxerr', err)
// vector rosenbrock
const xt = tensor(xs)
const vr = (x: Tensor) => { const x0 = slice(x, [0], [n - 1]); const x1 = slice(x, [1]); return sum(add(mul(100, square(sub(x1, square(x0)))), square(sub(1, x0)))) }
const tp = time('vec primal', () => vr(xt))
const tg = time('vec grad', () => grad(vr)(xt))
console.log('ratio', (tg / tp).toFixed(2))
