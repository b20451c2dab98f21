/**
 * W3 (issue: performance): an MLP 784-256-10 (dense → relu → dense) on a batch of 128 with
 * softmax cross-entropy, float64. The loss, the loss with its gradient with respect to every
 * parameter (`valueAndGrad`, eagerly and under `jit`; the ratio column gives gradient/forward,
 * target ≤ 2.5), and the same written by hand as naive loops. Then the large product alone,
 * fluxion's `matmul` beside a naive i-k-j triple loop, in GFLOP/s (the harness shows flop units as a rate).
 *
 * Targets to know, not asserted (shared machines): forward+backward < 30 ms, matmul ≥ 12
 * GFLOP/s (the WebAssembly kernel; #17), gradient/forward ≤ 2.5. The `JS kernel (wasm off)`
 * rows run every product in the plain-JavaScript kernel, as `FLUXION_WASM=0` does.
 */
import { jit, matmul, valueAndGrad } from 'fluxion'
import { type Group, warmUp, warmUpMs } from '../harness.ts'
import { jsKernel, wasmName } from '../kernel-switch.ts'
import {
  batch,
  close,
  closeLossAndGrad,
  flattenGrad,
  fluxionData,
  fluxionLoss,
  hidden,
  inputs,
  lossAndGradPlain,
  lossPlain,
  matmulFlops,
  matmulPlain,
  mlpData,
} from '../mlp.ts'

export const mlpGroups = (quick: boolean): Group[] => {
  // one size in both modes: W3 is a fixed workload, and a call takes milliseconds
  const d = mlpData()
  const { params, x, labels } = fluxionData(d)
  const loss = fluxionLoss(x, labels)
  const lossAndGrad = valueAndGrad(loss)
  // x and the labels, closed over by the loss, are constants of the compiled program
  const lossAndGradJit = jit(valueAndGrad(loss))
  const reference = lossAndGradPlain(d)
  const product = matmulPlain(d.x, d.w1, batch, inputs, hidden)
  const w1 = params[0]!.w
  return [
    {
      title: 'W3 MLP 784-256-10, batch 128, softmax cross-entropy (float64)',
      baseline: 'fluxion forward (loss)',
      tasks: [
        {
          name: 'fluxion forward (loss)',
          fn: () => loss(params),
          validate: () => close('loss', [loss(params).item()], [reference.loss], 1e-9),
        },
        {
          name: 'fluxion forward+backward (valueAndGrad)',
          fn: () => lossAndGrad(params),
          validate: () => closeLossAndGrad(flattenGrad(lossAndGrad(params)), reference, 1e-9),
        },
        {
          name: 'fluxion forward+backward (jit(valueAndGrad))',
          setup: warmUp(() => lossAndGradJit(params), warmUpMs(quick)),
          fn: () => lossAndGradJit(params),
          validate: () => closeLossAndGrad(flattenGrad(lossAndGradJit(params)), reference, 1e-9),
        },
        {
          // every product in the JavaScript kernel: what W3 cost before WebAssembly
          name: 'fluxion forward+backward (valueAndGrad), JS kernel (wasm off)',
          fn: jsKernel(() => lossAndGrad(params)),
          validate: () =>
            closeLossAndGrad(flattenGrad(jsKernel(() => lossAndGrad(params))()), reference, 1e-9),
        },
        {
          name: 'hand-written forward (loss)',
          fn: () => lossPlain(d),
          validate: () => close('loss', [lossPlain(d)], [reference.loss], 0),
        },
        {
          name: 'hand-written forward+backward',
          fn: () => lossAndGradPlain(d),
          validate: () => closeLossAndGrad(lossAndGradPlain(d), reference, 0),
        },
      ],
    },
    {
      title: `W3 matmul ${batch}×${inputs} · ${inputs}×${hidden} (float64, GFLOP/s)`,
      baseline: 'hand-written i-k-j loop',
      tasks: [
        {
          name: 'hand-written i-k-j loop',
          fn: () => matmulPlain(d.x, d.w1, batch, inputs, hidden),
          validate: () => close('x·w1', matmulPlain(d.x, d.w1, batch, inputs, hidden), product, 0),
          units: matmulFlops,
          unitName: 'flop',
        },
        {
          name: `fluxion matmul (${wasmName()})`,
          fn: () => matmul(x, w1),
          validate: () => close('x·w1', matmul(x, w1).data, product, 1e-12),
          units: matmulFlops,
          unitName: 'flop',
        },
        {
          name: 'fluxion matmul, JS kernel (wasm off)',
          fn: jsKernel(() => matmul(x, w1)),
          validate: () => close('x·w1', jsKernel(() => matmul(x, w1))().data, product, 1e-12),
          units: matmulFlops,
          unitName: 'flop',
        },
      ],
    },
  ]
}
