/**
 * Gather and scatter-add (issue #14 §8): `take` and `at(…).add` of 10⁶ indices into 10⁵
 * values (10⁵ into 10⁴ in `--quick`) beside the plain-JS loops that do the same — a gather
 * writing a fresh array, and a scatter-add into a copy of the operand — in ns per index. The
 * indices are deterministic, scattered and repeated; the loops skip fluxion's index checks
 * (integer, in range), which the kernels pay. Target: within 3× of the loops.
 */
import { at, type Tensor, take, tensor } from 'fluxion'
import type { Group } from '../harness.ts'
import { lazy, wave } from '../kernels.ts'
import { near } from '../rosenbrock.ts'

const inputs = (n: number, m: number) =>
  lazy(() => {
    const x = wave(n, 1, 0.4)
    const updates = wave(m, 1, 1.3)
    const idx = new Float64Array(m)
    // a multiplicative hash: every entry hit about m/n times, in no cache-friendly order
    for (let i = 0; i < m; i++) idx[i] = (i * 2654435761) % n
    return { x, updates, idx, xt: tensor(x), ut: tensor(updates), it: tensor(idx) }
  })

const gatherPlain = (x: Float64Array, idx: Float64Array): Float64Array => {
  const out = new Float64Array(idx.length)
  for (let i = 0; i < idx.length; i++) out[i] = x[idx[i]!]!
  return out
}

const scatterAddPlain = (x: Float64Array, idx: Float64Array, u: Float64Array): Float64Array => {
  const out = x.slice()
  for (let i = 0; i < idx.length; i++) out[idx[i]!]! += u[i]!
  return out
}

export const indexingGroups = (quick: boolean): Group[] => {
  const [n, m] = quick ? [1e4, 1e5] : [1e5, 1e6]
  const data = inputs(n, m)
  const label = `${m.toExponential(0).replace('e+', 'e')} indices into ${n.toExponential(0).replace('e+', 'e')}`
  const gather = (): Tensor => take(data().xt, data().it)
  const scatter = (): Tensor => at(data().xt, data().it).add(data().ut)
  return [
    {
      title: `indexing gather, ${label}`,
      baseline: 'plain JS gather loop',
      tasks: [
        {
          name: 'plain JS gather loop',
          fn: () => gatherPlain(data().x, data().idx),
          validate: () => {},
          units: m,
          unitName: 'index',
        },
        {
          name: 'fluxion take',
          fn: gather,
          validate: () => near(gather().data, gatherPlain(data().x, data().idx), 0),
          units: m,
          unitName: 'index',
        },
      ],
    },
    {
      title: `indexing scatter-add, ${label}`,
      baseline: 'plain JS scatter-add loop',
      tasks: [
        {
          name: 'plain JS scatter-add loop',
          fn: () => scatterAddPlain(data().x, data().idx, data().updates),
          validate: () => {},
          units: m,
          unitName: 'index',
        },
        {
          name: 'fluxion at(x, i).add(u)',
          fn: scatter,
          validate: () =>
            near(scatter().data, scatterAddPlain(data().x, data().idx, data().updates), 1e-12),
          units: m,
          unitName: 'index',
        },
      ],
    },
  ]
}
