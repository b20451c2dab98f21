/**
 * GradBench `lstm`: ADBench's diagonal LSTM over a character sequence (every weight acts
 * elementwise), its loss the mean cross-entropy of each next character; the gradient in the main
 * and extra parameters by `grad`. Per step and layer the four gates are one fused product over
 * [x, h, x, h] (forget, input, output, change). The sequence is a `scan` (carry: every layer's
 * hidden and cell state; xs: the characters; ys: the predictions), so `jit` compiles one step
 * as a loop instead of unrolling the sequence; the log-softmax and loss are taken once over all
 * stacked predictions.
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
  scan,
  slice,
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
    const step = (
      [hidden, cell]: readonly [readonly Tensor[], readonly Tensor[]],
      char: Tensor,
    ): [[Tensor[], Tensor[]], Tensor] => {
      const h2: Tensor[] = []
      const c2: Tensor[] = []
      let x = mul(char, inWeight)
      for (let i = 0; i < layers; i++) {
        const z = add(mul(concat([x, hidden[i]!, x, hidden[i]!]), weights[i]!), biases[i]!)
        const gates = logistic(slice(z, [0], [3 * b]))
        const change = tanh(slice(z, [3 * b], [4 * b]))
        const forget = slice(gates, [0], [b])
        const ingate = slice(gates, [b], [2 * b])
        const outgate = slice(gates, [2 * b], [3 * b])
        c2.push(add(mul(cell[i]!, forget), mul(ingate, change)))
        h2.push(mul(outgate, tanh(c2[i]!)))
        x = h2[i]!
      }
      return [[h2, c2], add(mul(x, outWeight), outBias)]
    }
    const init: [Tensor[], Tensor[]] = [
      Array.from({ length: layers }, (_, i) => index(state, 2 * i)),
      Array.from({ length: layers }, (_, i) => index(state, 2 * i + 1)),
    ]
    // one step per character but the last; under jit the step is compiled once, as a loop
    const [, predictions] = scan(step, init, slice(sequence, [0], [c - 1]))
    const y = predictions // [c − 1, b]
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
