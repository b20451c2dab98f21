/**
 * GradBench `lstm`: ADBench's diagonal LSTM over a character sequence (every weight acts
 * elementwise), its loss the mean cross-entropy of each next character; the gradient in the main
 * and extra parameters by `grad`. Per step and layer the four gates are one fused product over
 * [x, h, x, h] (forget, input, output, change); the predictions are stacked and the
 * log-softmax and loss taken once over all steps. Loop lengths depend only on shapes, so `jit`
 * compiles the whole unrolled sequence.
 */
import {
  add,
  concat,
  exp,
  expandDims,
  grad,
  index,
  log,
  logistic,
  mul,
  slice,
  stack,
  sub,
  sum,
  type Tensor,
  tanh,
  tensor,
} from 'fluxion'
import { maybeJit, multipleRuns, type Runs } from '../runs.ts'
import { toList, toNumber } from './common.ts'

interface Input extends Runs {
  readonly main_params: number[][]
  readonly extra_params: number[][]
  readonly state: number[][]
  readonly sequence: number[][]
}

/** The loss for an initial state ([2l, b]) and a sequence ([c, b]), in (main, extra). */
export const objective =
  (state: Tensor, sequence: Tensor) =>
  (main: Tensor, extra: Tensor): Tensor => {
    const layers = (main.shape[0] ?? 0) / 2
    const b = main.shape[1]! / 4
    const c = sequence.shape[0] ?? 0
    const inWeight = index(extra, 0)
    const outWeight = index(extra, 1)
    const outBias = index(extra, 2)
    const weights = Array.from({ length: layers }, (_, i) => index(main, 2 * i))
    const biases = Array.from({ length: layers }, (_, i) => index(main, 2 * i + 1))
    const hidden = Array.from({ length: layers }, (_, i) => index(state, 2 * i))
    const cell = Array.from({ length: layers }, (_, i) => index(state, 2 * i + 1))
    const predictions: Tensor[] = []
    for (let t = 0; t < c - 1; t++) {
      let x = mul(index(sequence, t), inWeight)
      for (let i = 0; i < layers; i++) {
        const h = hidden[i]!
        const z = add(mul(concat([x, h, x, h]), weights[i]!), biases[i]!)
        const gates = logistic(slice(z, [0], [3 * b]))
        const change = tanh(slice(z, [3 * b], [4 * b]))
        const forget = slice(gates, [0], [b])
        const ingate = slice(gates, [b], [2 * b])
        const outgate = slice(gates, [2 * b], [3 * b])
        cell[i] = add(mul(cell[i]!, forget), mul(ingate, change))
        hidden[i] = mul(outgate, tanh(cell[i]!))
        x = hidden[i]!
      }
      predictions.push(add(mul(x, outWeight), outBias))
    }
    const y = stack(predictions) // [c − 1, b]
    // ADBench's normalizer: log(Σ exp(y) + 2), no shift
    const norm = sub(y, expandDims(log(add(sum(exp(y), 1), 2)), 1))
    const gold = slice(sequence, [1], [c])
    return mul(-1 / ((c - 1) * b), sum(mul(gold, norm)))
  }

const prepare = (input: Input) => ({
  main: tensor(input.main_params),
  extra: tensor(input.extra_params),
  state: tensor(input.state),
  sequence: tensor(input.sequence),
})

export const module = {
  objective: multipleRuns((input: Input) => {
    const { main, extra, state, sequence } = prepare(input)
    const f = maybeJit(objective(state, sequence))
    return { run: () => f(main, extra), toJson: toNumber }
  }),
  jacobian: multipleRuns((input: Input) => {
    const { main, extra, state, sequence } = prepare(input)
    const g = maybeJit(grad(objective(state, sequence), { argnums: [0, 1] }))
    return {
      run: () => g(main, extra),
      toJson: ([dMain, dExtra]: readonly [Tensor, Tensor]) => [...toList(dMain), ...toList(dExtra)],
    }
  }),
}
