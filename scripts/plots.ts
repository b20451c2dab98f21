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
/** What Plot draws: an SVG element of linkedom's DOM. */
type Svg = ReturnType<typeof Plot.plot>

const save = (svg: Svg, file: string, titleText: string): void => {
  svg.setAttribute('xmlns', 'http://www.w3.org/2000/svg')
  const t = document.createElementNS('http://www.w3.org/2000/svg', 'title')
  t.textContent = titleText
  svg.insertBefore(t, svg.firstChild)
  for (const css of svg.querySelectorAll('style')) {
    css.textContent = (css.textContent ?? '').replace('  height: intrinsic;\n', '')
  }
  writeFileSync(`docs/img/${file}`, `${svg.outerHTML}\n`)
  console.log(`docs:plots: docs/img/${file}`)
}

/**
 * One SVG holding `parts` one above the other (Plot draws a legend as its own SVG), each part
 * with its title, as every SVG needs one for screen readers.
 */
const stackVertically = (parts: readonly (readonly [Svg, string])[], width: number): Svg => {
  const outer = document.createElementNS('http://www.w3.org/2000/svg', 'svg') as Svg
  let y = 0
  for (const [part, titleText] of parts) {
    const t = document.createElementNS('http://www.w3.org/2000/svg', 'title')
    t.textContent = titleText
    part.insertBefore(t, part.firstChild)
    const height = Number(part.getAttribute('height'))
    part.setAttribute('y', String(y))
    outer.appendChild(part)
    y += height
  }
  outer.setAttribute('width', String(width))
  outer.setAttribute('height', String(y))
  outer.setAttribute('viewBox', `0 0 ${width} ${y}`)
  return outer
}

const grid = (a: number, b: number, n: number): number[] =>
  Array.from({ length: n + 1 }, (_, i) => a + ((b - a) * i) / n)

/** One colour per curve, in the order of `names`: the lines and the legend read one scale. */
const palette = ['#4269d0', '#efb118', '#ff725c', '#6cc5b0', '#3ca951', '#9c6b4e']
const colors = (names: readonly string[]) => ({
  domain: [...names],
  range: palette.slice(0, names.length),
  legend: false,
})

/**
 * A legend drawn inside the frame, one line per curve (a stroke swatch and its name), at
 * `anchor` — placed by hand where no curve passes, so no label sits on a line.
 */
const legend = (
  names: readonly string[],
  anchor: 'top-left' | 'bottom-left' | 'bottom-right' | 'bottom',
  widthOf = (name: string) => 8 + 6.2 * name.length,
) => {
  const up = anchor.startsWith('bottom') ? -1 : 1
  const left = anchor === 'bottom-right' ? -Math.max(...names.map(widthOf)) - 8 : 8
  const row = (i: number) => up * (10 + 16 * (up > 0 ? i : names.length - 1 - i))
  return names.flatMap((name, i) => [
    Plot.text([name], {
      frameAnchor: anchor,
      dx: left,
      dy: row(i),
      text: () => '━━',
      fill: palette[i] ?? 'currentColor',
      textAnchor: 'start',
    }),
    Plot.text([name], {
      frameAnchor: anchor,
      dx: left + 22,
      dy: row(i),
      text: (d: string) => d,
      textAnchor: 'start',
      fill: 'currentColor',
    }),
  ])
}

// f(x) = x·sin x with f′ and f″, by grad and grad∘grad
{
  const f = (x: number) => mul(x, sin(x))
  const df = grad(f)
  const d2f = grad(df)
  const names = ['f(x) = x·sin x', 'f′ = grad(f)', 'f″ = grad(grad(f))']
  const rows = grid(-6, 6, 240).flatMap((x) => [
    { x, y: f(x), fn: names[0] },
    { x, y: df(x), fn: names[1] },
    { x, y: d2f(x), fn: names[2] },
  ])
  const svg = Plot.plot({
    document,
    width: 640,
    height: 300,
    grid: true,
    color: colors(names),
    marks: [
      Plot.ruleY([0]),
      Plot.line(rows, { x: 'x', y: 'y', stroke: 'fn' }),
      // the band around x = 0 below −2.5 is free of curves
      ...legend(names, 'bottom'),
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
  const orders = [1, 2, 4, 8]
  const names = ['exp(sin x)', ...orders.map((n) => `Taylor polynomial of order ${n}`)]
  const xs = grid(-2.5, 2.5, 200)
  const rows = [
    ...xs.map((x) => ({ x, y: f(x), fn: names[0]! })),
    ...orders.flatMap((n, i) => xs.map((x) => ({ x, y: poly(n, x), fn: names[i + 1]! }))),
  ].filter((r) => r.y > -1 && r.y < 4)
  const svg = Plot.plot({
    document,
    width: 640,
    height: 300,
    grid: true,
    color: colors(names),
    y: { domain: [-1, 4] },
    marks: [
      Plot.line(rows, {
        x: 'x',
        y: 'y',
        stroke: 'fn',
        z: 'fn',
        strokeWidth: (r: { fn: string }) => (r.fn === names[0] ? 3 : 1.5),
      }),
      // below y = 0.5 on the right no curve passes
      ...legend(names, 'bottom-right'),
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
  const thresholds = [0.01, 0.05, 0.2, 0.5, 1, 2, 4, 8, 16]
  // one colour per band between contour levels, with its legend above the plot
  const color = {
    type: 'threshold' as const,
    scheme: 'blues' as const,
    reverse: true,
    domain: thresholds,
    label: 'f(x, y) = (x − 1)² + 10·(y − x²)²',
    tickFormat: '~g',
  }
  const contours = Plot.plot({
    document,
    width: 480,
    height: 360,
    color,
    x: { domain: [-1.5, 1.5] },
    y: { domain: [-0.5, 1.5] },
    marks: [
      Plot.contour({
        x1: -1.5,
        x2: 1.5,
        y1: -0.5,
        y2: 1.5,
        fill: (x: number, y: number) => bowl([x, y]),
        thresholds,
        stroke: 'white',
        strokeOpacity: 0.5,
      }),
      Plot.line(path, { x: 'x', y: 'y', stroke: 'crimson', strokeWidth: 2 }),
      Plot.dot(path, { x: 'x', y: 'y', fill: 'crimson', r: 2 }),
      Plot.dot([{ x: 1, y: 1 }], { x: 'x', y: 'y', stroke: 'black', r: 5 }),
      Plot.text([{ x: -1, y: 1, label: 'start (−1, 1)' }], {
        x: 'x',
        y: 'y',
        text: 'label',
        dy: -10,
      }),
      Plot.text([{ x: 1, y: 1, label: 'minimum (1, 1)' }], {
        x: 'x',
        y: 'y',
        text: 'label',
        dx: -10,
        textAnchor: 'end',
      }),
    ],
  })
  // Plot.legend takes `document` as Plot.plot does, though its type does not list it
  const rampOptions = { document, color, width: 360, marginLeft: 40 }
  const ramp = Plot.legend(rampOptions) as Svg
  const svg = stackVertically(
    [
      [ramp, 'colour legend: the value of f in each band between contours'],
      [contours, 'contours of f and the path of gradient descent'],
    ],
    480,
  )
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
