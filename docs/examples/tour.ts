/**
 * The fluxion tour (`npm start`): derivatives as functions, the chain rule made visible,
 * gradient descent on a 2-D function, and the primer's single-layer network ŷ = σ(w·x + b)
 * trained by stochastic gradient descent with its gradients ∂L/∂w and ∂L/∂b printed.
 */
import {
  add,
  grad,
  logistic,
  mean,
  mul,
  random,
  sin,
  square,
  sub,
  type Tensor,
  tensor,
  valueAndGrad,
} from 'fluxion'

const fmt = (x: number, digits = 6): string => x.toFixed(digits).padStart(digits + 4)
const section = (title: string): void => {
  console.log(`\n── ${title} ${'─'.repeat(Math.max(0, 66 - title.length))}`)
}

// (a) a function, its first and second derivatives, and the chain rule ---------------------
section('a. derivatives are functions')
const f = (x: number) => mul(x, sin(x))
const df = grad(f)
const d2f = grad(df)
const x0 = 2
console.log(`f(x) = x·sin x at x = ${x0}`)
console.log(`  f(x)   = ${fmt(f(x0))}`)
console.log(
  `  f′(x)  = ${fmt(df(x0))}   (sin x + x·cos x = ${fmt(Math.sin(x0) + x0 * Math.cos(x0))})`,
)
console.log(
  `  f″(x)  = ${fmt(d2f(x0))}   (2cos x − x·sin x = ${fmt(2 * Math.cos(x0) - x0 * Math.sin(x0))})`,
)

const g = (x: number) => square(x)
const fg = (x: number) => f(g(x))
const x1 = 1.3
console.log(`chain rule on f(g(x)) with g(x) = x², at x = ${x1}:`)
console.log(`  d/dx f(g(x))    = ${fmt(grad(fg)(x1))}`)
console.log(
  `  f′(g(x)) · g′(x) = ${fmt(df(g(x1)))} × ${fmt(grad(g)(x1), 3)} = ${fmt(df(g(x1)) * grad(g)(x1))}`,
)

// (b) gradient descent on a 2-D function ------------------------------------------------------
section('b. gradient descent on f(x, y) = (x − 1)² + 10·(y − x²)²')
const bowl = (p: readonly [number, number]) =>
  add(square(sub(p[0], 1)), mul(10, square(sub(p[1], square(p[0])))))
let p: readonly [number, number] = [-1, 1]
const eta = 0.01
for (let step = 0; step <= 600; step++) {
  const [loss, [gx, gy]] = valueAndGrad(bowl)(p)
  if (step % 100 === 0) {
    console.log(
      `  step ${String(step).padStart(3)}: (x, y) = (${fmt(p[0], 4)}, ${fmt(p[1], 4)})  f = ${fmt(loss)}`,
    )
  }
  p = [p[0] - eta * gx, p[1] - eta * gy]
}
console.log('  the minimum is at (1, 1)')

// (c) the primer's single-layer network ŷ = σ(w·x + b) --------------------------------------
section('c. a single-layer network ŷ = σ(w·x + b), trained by SGD')
// data: points on a line, labelled by which side of x = 0.5 they fall
const key = random.key(7)
const xs = random.uniform(key, [64], -2, 3)
const labels = tensor(Array.from(xs.data, (x) => (x > 0.5 ? 1 : 0)))
type Params = { w: number; b: number }
const predict = (params: Params, x: Tensor) => logistic(add(mul(params.w, x), params.b))
const loss = (params: Params, x: Tensor, y: Tensor) => mean(square(sub(predict(params, x), y)))
let params: Params = { w: 0, b: 0 }
const lr = 2
for (let epoch = 0; epoch <= 300; epoch++) {
  const [l, dL] = valueAndGrad(loss)(params, xs, labels)
  if (epoch % 50 === 0) {
    console.log(
      `  epoch ${String(epoch).padStart(3)}: L = ${fmt(l.item())}  ∂L/∂w = ${fmt(dL.w)}  ∂L/∂b = ${fmt(dL.b)}`,
    )
  }
  params = { w: params.w - lr * dL.w, b: params.b - lr * dL.b }
}
const predicted = predict(params, xs).data
const accuracy =
  labels.data.filter((y, i) => y === (predicted[i]! > 0.5 ? 1 : 0)).length / labels.size
console.log(
  `  learned w = ${fmt(params.w, 3)}, b = ${fmt(params.b, 3)}: boundary at x = ${fmt(-params.b / params.w, 3)} (true 0.5), accuracy ${(accuracy * 100).toFixed(0)}%`,
)
