/**
 * The fluxion tour (`npm start`), following a primer on derivatives in deep learning:
 *   a. derivatives are functions: f, f′, f″, and the chain rule on f(g(x)) made visible;
 *   b. gradient descent θ ← θ − η·∇f on a 2-D function, printing the path;
 *   c. the primer's single-layer network ŷ = σ(w·x + b), trained by SGD, printing ∂L/∂w and
 *      ∂L/∂b and checking them against the chain rule by hand;
 *   d. an MLP trained with Adam on the Iris flowers, with a progress bar and the loss curve.
 * Results go to stdout; progress goes to stderr.
 */
import {
  add,
  grad,
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
import { binaryCrossEntropy, sigmoid } from 'fluxion/nn'
import { applyUpdates, sgd } from 'fluxion/optim'
import { trainIris } from './iris.ts'
import { lossChart, progressReporter } from './terminal.ts'

const started = performance.now()
const fmt = (x: number, digits = 6): string => x.toFixed(digits).padStart(digits + 4)
const section = (title: string): void => {
  console.log(`\n── ${title} ${'─'.repeat(Math.max(0, 66 - title.length))}`)
}
const pct = (x: number): string => `${(100 * x).toFixed(1)}%`

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
// data: points on a line, labelled 1 on the right of x = 0.5 and 0 on the left
const xs = random.uniform(random.key(7), [64], -2, 3)
const labels = tensor(Array.from(xs.data, (x) => (x > 0.5 ? 1 : 0)))
type Params = { w: number; b: number }
const predict = (params: Params, x: Tensor) => sigmoid(add(mul(params.w, x), params.b))
const loss = (params: Params, x: Tensor, y: Tensor) => binaryCrossEntropy(predict(params, x), y)

// backpropagation is the chain rule: with z = w·x + b and ŷ = σ(z), for one example
// ∂L/∂w = ∂L/∂ŷ · ∂ŷ/∂z · ∂z/∂w = (ŷ − y)/(ŷ(1 − ŷ)) · ŷ(1 − ŷ) · x = (ŷ − y)·x
const start: Params = { w: 0.5, b: -0.5 }
const yHat = predict(start, xs)
const residual = sub(yHat, labels)
const [, dStart] = valueAndGrad(loss)(start, xs, labels)
console.log('backpropagation at (w, b) = (0.5, −0.5), against the chain rule by hand:')
console.log(`  ∂L/∂w = ${fmt(dStart.w)}   mean((ŷ − y)·x) = ${fmt(mean(mul(residual, xs)).item())}`)
console.log(`  ∂L/∂b = ${fmt(dStart.b)}   mean(ŷ − y)     = ${fmt(mean(residual).item())}`)

// the training loop: gradient, optimizer update, apply — θ ← θ − η·∇θL
const optimizer = sgd(2)
let params = start
let state = optimizer.init(params)
for (let epoch = 0; epoch <= 300; epoch++) {
  const [l, dL] = valueAndGrad(loss)(params, xs, labels)
  if (epoch % 50 === 0) {
    console.log(
      `  epoch ${String(epoch).padStart(3)}: L = ${fmt(l.item())}  ∂L/∂w = ${fmt(dL.w)}  ∂L/∂b = ${fmt(dL.b)}`,
    )
  }
  const [updates, next] = optimizer.update(dL, state, params)
  params = applyUpdates(params, updates)
  state = next
}
const predicted = predict(params, xs).data
const correct = labels.data.filter((y, i) => y === (predicted[i]! > 0.5 ? 1 : 0)).length
console.log(
  `  learned w = ${fmt(params.w, 3)}, b = ${fmt(params.b, 3)}: boundary at x = ${fmt(-params.b / params.w, 3)} (true 0.5), accuracy ${((100 * correct) / labels.size).toFixed(0)}%`,
)

// (d) an MLP on the Iris flowers, trained with Adam -----------------------------------------
section('d. an MLP (4 → 16 tanh → 3) learns the Iris species with Adam')
const reporter = progressReporter('iris')
const trainingStarted = performance.now()
const run = trainIris({ seed: 0, onProgress: reporter.onProgress })
reporter.stop()
const trainingSeconds = (performance.now() - trainingStarted) / 1000
const { split } = run
console.log(
  `${split.xTrain.shape[0]} training and ${split.xTest.shape[0]} held-out flowers (10 per species: ${split.species.join(', ')}), features standardized`,
)
console.log(`training loss per epoch (softmax cross-entropy, ${run.losses.length} epochs):`)
console.log(lossChart(run.losses))
const testCount = split.xTest.shape[0]!
console.log(
  `  train accuracy ${pct(run.trainAccuracy)}, held-out accuracy ${pct(run.testAccuracy)} (${Math.round(run.testAccuracy * testCount)}/${testCount}), trained in ${trainingSeconds.toFixed(2)} s`,
)

console.log(
  `\ntour done in ${((performance.now() - started) / 1000).toFixed(1)} s: Iris held-out accuracy ${pct(run.testAccuracy)}`,
)
