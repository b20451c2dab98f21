/**
 * GradBench `lstm`: ADBench's diagonal LSTM over a character sequence (every weight acts
 * elementwise), its loss the mean cross-entropy of each next character; the gradient in the main
 * and extra parameters by `grad`. The gates act elementwise on [x, h, x, h] (forget and output
 * on x, input and change on h), so each is written on its own [b]-vector, with its rows of the
 * weights and biases sliced once per call: every op of a step is then on [b]-vectors, and `jit`
 * fuses a step into a few loops (a product over the concatenated [4b] vector, then slices of it,
 * took ~15 loops and kernel calls per layer, each with its own set-up, on 7 numbers). The
 * sequence is a `scan` (carry: every layer's hidden and cell state; xs: the characters; ys: the
 * predictions), so `jit` compiles one step as a loop instead of unrolling the sequence; the
 * log-softmax and loss are taken once over all stacked predictions.
 */
import {
  add,
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
    // each gate's weights and bias ([b] rows), sliced once per call, outside the loop
    const part = (row: Tensor, g: number) => slice(row, [g * b], [(g + 1) * b])
    const layer = Array.from({ length: layers }, (_, i) => {
      const w = index(main, 2 * i)
      const bias = index(main, 2 * i + 1)
      return {
        ...{ wf: part(w, 0), wi: part(w, 1), wo: part(w, 2), wc: part(w, 3) },
        ...{ bf: part(bias, 0), bi: part(bias, 1), bo: part(bias, 2), bc: part(bias, 3) },
      }
    })
    const step = (
      [hidden, cell]: readonly [readonly Tensor[], readonly Tensor[]],
      char: Tensor,
    ): [[Tensor[], Tensor[]], Tensor] => {
      const h2: Tensor[] = []
      const c2: Tensor[] = []
      let x = mul(char, inWeight)
      for (let i = 0; i < layers; i++) {
        const { wf, bf, wi, bi, wo, bo, wc, bc } = layer[i]!
        const h = hidden[i]!
        // the gates act on [x, h, x, h] elementwise: forget and output on x, input and change on h
        const forget = logistic(add(mul(x, wf), bf))
        const ingate = logistic(add(mul(h, wi), bi))
        const outgate = logistic(add(mul(x, wo), bo))
        const change = tanh(add(mul(h, wc), bc))
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
