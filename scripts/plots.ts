/**
 * Renders the SVG plots of the documentation (`npm run docs:plots`): Observable Plot drawing on
 * linkedom's server-side DOM, so no browser is needed. The output is deterministic — the
 * training runs are seeded and nothing depends on the clock — so regenerating a plot that did
 * not change leaves its file byte-for-byte identical.
 *
 * Writes to docs/img/: iris-loss.svg (the training loss of the Iris MLP that `npm start` runs),
 * derivatives.svg (a function with its first and second derivatives), taylor.svg (Taylor
 * polynomials of increasing order, from `derivative`), and descent.svg (a gradient-descent path
 * on the contours of a 2-D function).
 */
import { writeFileSync } from 'node:fs'
import * as Plot from '@observablehq/plot'
import { add, derivative, exp, grad, mul, sin, square, sub } from 'fluxion'
import { parseHTML } from 'linkedom'
import { trainIris } from '../docs/examples/iris.ts'

const { document } = parseHTML('<!doctype html><html><body></body></html>')

/** Finishes an SVG (namespace, title, Plot's duplicate style rule) and writes it. */
const save = (svg: ReturnType<typeof Plot.plot>, file: string, titleText: string): void => {
  svg.setAttribute('xmlns', 'http://www.w3.org/2000/svg')
  const t = document.createElementNS('http://www.w3.org/2000/svg', 'title')
  t.textContent = titleText
  svg.insertBefore(t, svg.firstChild)
  const css = svg.querySelector('style')
  if (css !== null) css.textContent = (css.textContent ?? '').replace('  height: intrinsic;\n', '')
  writeFileSync(`docs/img/${file}`, `${svg.outerHTML}\n`)
  console.log(`docs:plots: docs/img/${file}`)
}

const grid = (a: number, b: number, n: number): number[] =>
  Array.from({ length: n + 1 }, (_, i) => a + ((b - a) * i) / n)

// f(x) = x·sin x with f′ and f″, by grad and grad∘grad
{
  const f = (x: number) => mul(x, sin(x))
  const df = grad(f)
  const d2f = grad(df)
  const rows = grid(-6, 6, 240).flatMap((x) => [
    { x, y: f(x), fn: 'f(x) = x·sin x' },
    { x, y: df(x), fn: 'f′ = grad(f)' },
    { x, y: d2f(x), fn: 'f″ = grad(grad(f))' },
  ])
  const svg = Plot.plot({
    document,
    width: 640,
    height: 300,
    grid: true,
    color: { legend: false },
    marks: [
      Plot.ruleY([0]),
      Plot.line(rows, { x: 'x', y: 'y', stroke: 'fn' }),
      Plot.text(
        rows.filter((r) => r.x === 6),
        { x: 'x', y: 'y', text: 'fn', fill: 'fn', textAnchor: 'end', dy: -8 },
      ),
    ],
  })
  save(svg, 'derivatives.svg', 'x·sin x with its first and second derivatives')
}

// Taylor polynomials of exp(sin x) around 0: coefficients f⁽ᵏ⁾(0)/k! from one Taylor pass each
{
  const f = (x: number) => exp(sin(x))
  const coefficients: number[] = []
  let factorial = 1
  for (let k = 0; k <= 8; k++) {
    if (k > 0) factorial *= k
    coefficients.push(derivative(f, k)(0) / factorial)
  }
  const poly = (n: number, x: number): number =>
    coefficients.slice(0, n + 1).reduce((acc, c, k) => acc + c * x ** k, 0)
  const xs = grid(-2.5, 2.5, 200)
  const rows = [
    ...xs.map((x) => ({ x, y: f(x), fn: 'exp(sin x)' })),
    ...[1, 2, 4, 8].flatMap((n) => xs.map((x) => ({ x, y: poly(n, x), fn: `order ${n}` }))),
  ].filter((r) => r.y > -1 && r.y < 4)
  const svg = Plot.plot({
    document,
    width: 640,
    height: 300,
    grid: true,
    color: { legend: false, scheme: 'tableau10' },
    y: { domain: [-1, 4] },
    marks: [
      Plot.line(rows, {
        x: 'x',
        y: 'y',
        stroke: 'fn',
        z: 'fn',
        strokeWidth: (r: { fn: string }) => (r.fn === 'exp(sin x)' ? 3 : 1.5),
      }),
      // each label where its curve leaves the plot (or at the right edge)
      Plot.text(
        [1, 2, 4, 8].map((n) => rows.filter((r) => r.fn === `order ${n}`).at(-1)!),
        { x: 'x', y: 'y', text: 'fn', fill: 'fn', dx: -4, dy: -8, textAnchor: 'end' },
      ),
    ],
  })
  save(svg, 'taylor.svg', 'exp(sin x) and its Taylor polynomials of order 1, 2, 4 and 8 around 0')
}

// gradient descent on f(x, y) = (x − 1)² + 10·(y − x²)², as in the tour
{
  const bowl = (p: readonly [number, number]) =>
    add(square(sub(p[0], 1)), mul(10, square(sub(p[1], square(p[0])))))
  const path: { x: number; y: number }[] = []
  let p: readonly [number, number] = [-1, 1]
  for (let step = 0; step <= 600; step++) {
    if (step % 10 === 0) path.push({ x: p[0], y: p[1] })
    const [gx, gy] = grad(bowl)(p)
    p = [p[0] - 0.01 * gx, p[1] - 0.01 * gy]
  }
  const svg = Plot.plot({
    document,
    width: 480,
    height: 360,
    color: { legend: false, type: 'log', scheme: 'blues', reverse: true },
    x: { domain: [-1.5, 1.5] },
    y: { domain: [-0.5, 1.5] },
    marks: [
      Plot.contour({
        x1: -1.5,
        x2: 1.5,
        y1: -0.5,
        y2: 1.5,
        fill: (x: number, y: number) => bowl([x, y]),
        thresholds: [0.01, 0.05, 0.2, 0.5, 1, 2, 4, 8, 16],
        stroke: 'white',
        strokeOpacity: 0.5,
      }),
      Plot.line(path, { x: 'x', y: 'y', stroke: 'crimson', strokeWidth: 2 }),
      Plot.dot(path, { x: 'x', y: 'y', fill: 'crimson', r: 2 }),
      Plot.dot([{ x: 1, y: 1 }], { x: 'x', y: 'y', stroke: 'black', r: 5 }),
    ],
  })
  save(svg, 'descent.svg', 'gradient descent from (−1, 1) to the minimum at (1, 1)')
}

const run = trainIris({ seed: 0 })
const rows = run.losses.map((loss, i) => ({ epoch: i + 1, loss }))

const svg = Plot.plot({
  document,
  width: 640,
  height: 300,
  marginLeft: 56,
  grid: true,
  color: { legend: false },
  x: { label: 'epoch', domain: [0, rows.length] },
  y: { label: 'training loss (softmax cross-entropy, log scale)', type: 'log', tickFormat: '~g' },
  marks: [
    Plot.line(rows, { x: 'epoch', y: 'loss', stroke: 'steelblue', strokeWidth: 2 }),
    Plot.text([`held-out accuracy ${(100 * run.testAccuracy).toFixed(1)}%`], {
      frameAnchor: 'top-right',
      dx: -8,
      dy: 8,
      fontSize: 12,
    }),
  ],
})
save(svg, 'iris-loss.svg', 'Training loss of the Iris MLP per epoch, on a log scale')
