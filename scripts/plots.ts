/**
 * Renders the SVG plots of the documentation (`npm run docs:plots`): Observable Plot drawing on
 * linkedom's server-side DOM, so no browser is needed. The output is deterministic — the
 * training runs are seeded and nothing depends on the clock — so regenerating a plot that did
 * not change leaves its file byte-for-byte identical.
 *
 * Writes docs/img/iris-loss.svg: the training loss per epoch of the Iris MLP of
 * docs/examples/iris.ts, the run `npm start` shows.
 */
import { writeFileSync } from 'node:fs'
import * as Plot from '@observablehq/plot'
import { parseHTML } from 'linkedom'
import { trainIris } from '../docs/examples/iris.ts'

const { document } = parseHTML('<!doctype html><html><body></body></html>')

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
svg.setAttribute('xmlns', 'http://www.w3.org/2000/svg')
// a <title> names the figure for screen readers (and satisfies Biome's a11y rule)
const title = document.createElementNS('http://www.w3.org/2000/svg', 'title')
title.textContent = 'Training loss of the Iris MLP per epoch, on a log scale'
svg.insertBefore(title, svg.firstChild)
// Plot's stylesheet declares `height: auto` and then the legacy, non-standard
// `height: intrinsic`; Biome flags the duplicate, and `auto` alone is what browsers use
const style = svg.querySelector('style')
if (style !== null)
  style.textContent = (style.textContent ?? '').replace('  height: intrinsic;\n', '')
writeFileSync('docs/img/iris-loss.svg', `${svg.outerHTML}\n`)
console.log(`docs:plots: docs/img/iris-loss.svg (${rows.length} epochs)`)
