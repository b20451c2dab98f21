/**
 * `npm run bench -- conv2d` (issue #14 §8): `conv2d` forward+backward of a small CNN layer —
 * batch 32, 28×28, 3×3 kernel, 'same' padding, 32 output channels, from 1 input channel (an
 * MNIST first layer) and from 32 — as ⟨conv2d(x, w), G⟩ with its gradient in x and w
 * (`valueAndGrad`, eagerly and under `jit`) beside the same written as direct loops
 * (bench/conv.ts), in GFLOP/s of the three products (forward, x̄, w̄: 3 · 2·N·H·W·9·C·O).
 * Batch 8 in `--quick`. Every task is validated against the loops at 1e-9 before timing.
 */
import { jit, mul, sum, type Tensor, tensor, valueAndGrad } from 'fluxion'
import { conv2d } from 'fluxion/nn'
import { type ConvSizes, convPlain } from '../conv.ts'
import { type Group, type Task, warmUp, warmUpMs } from '../harness.ts'
import { lazy, wave } from '../kernels.ts'
import { near } from '../rosenbrock.ts'

const convGroup = (s: ConvSizes, quick: boolean): Group => {
  const { n, h, w, c, k, o } = s
  const flops = 3 * 2 * n * h * w * k * k * c * o
  const data = lazy(() => {
    const x = wave(n * h * w * c, 1, 0.29)
    const wt = wave(k * k * c * o, 0.3, 1.37)
    const g = wave(n * h * w * o, 1, 2.11)
    return {
      x,
      wt,
      g,
      xT: tensor(x, [n, h, w, c]),
      wT: tensor(wt, [k, k, c, o]),
      gT: tensor(g, [n, h, w, o]),
      reference: convPlain(s, x, wt, g),
    }
  })
  const loss = (x: Tensor, wv: Tensor) => sum(mul(conv2d(x, wv, { padding: 'same' }), data().gT))
  const eager = valueAndGrad(loss, { argnums: [0, 1] })
  const compiled = jit(valueAndGrad(loss, { argnums: [0, 1] }))
  const check = (run: typeof eager) => () => {
    const { xT, wT, reference } = data()
    const [value, [xBar, wBar]] = run(xT, wT)
    near([value.item()], [reference.loss], 1e-9)
    near(xBar.data, reference.xBar, 1e-9)
    near(wBar.data, reference.wBar, 1e-9)
  }
  const task = (
    name: string,
    fn: () => unknown,
    validate: () => void,
    setup?: Task['setup'],
  ): Task => ({
    name,
    fn,
    validate,
    units: flops,
    unitName: 'flop',
    ...(setup === undefined ? {} : { setup }),
  })
  return {
    title: `conv2d forward+backward, ${n}×${h}×${w}×${c} * ${k}×${k}×${c}×${o}, 'same' (GFLOP/s)`,
    baseline: 'hand-written direct loops',
    tasks: [
      task(
        'hand-written direct loops',
        () => convPlain(s, data().x, data().wt, data().g),
        () => {
          // the loops against fluxion's eager result (itself checked below against the loops)
          const { xT, wT } = data()
          const [value] = eager(xT, wT)
          near([convPlain(s, data().x, data().wt, data().g).loss], [value.item()], 1e-9)
        },
      ),
      task('fluxion valueAndGrad(⟨conv2d, G⟩)', () => eager(data().xT, data().wT), check(eager)),
      task(
        'fluxion jit(valueAndGrad(⟨conv2d, G⟩))',
        () => compiled(data().xT, data().wT),
        check(compiled),
        warmUp(() => compiled(data().xT, data().wT), warmUpMs(quick)),
      ),
    ],
  }
}

export const convGroups = (quick: boolean): Group[] => {
  const n = quick ? 8 : 32
  return [
    convGroup({ n, h: 28, w: 28, c: 1, k: 3, o: 32 }, quick),
    convGroup({ n, h: 28, w: 28, c: 32, k: 3, o: 32 }, quick),
  ]
}
