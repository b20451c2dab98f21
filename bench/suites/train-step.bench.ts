/**
 * The Iris tour's training step (docs/examples/iris.ts: an MLP 4-16-3 with tanh, softmax
 * cross-entropy on integer labels, Adam(0.01), minibatches of 16): one step eagerly, with
 * `trainStep(…, { jit: true })` (loss and gradient compiled, Adam's update eager), and as one
 * compiled program, `jit(trainStep(…))` — gradient, update with its step count, and θ + u.
 * Each task runs the same step from the same parameters and state; validation asserts that
 * the three give the same bits. The ratio column is the speed-up over the eager step.
 */
import { jit, random, type Tensor, take } from 'fluxion'
import { type MlpParams, softmaxCrossEntropy } from 'fluxion/nn'
import { adam, trainStep } from 'fluxion/optim'
import { irisNet, loadIris, trainIris } from '../../docs/examples/iris.ts'
import { type Group, warmUp, warmUpMs } from '../harness.ts'

/** Every leaf's exact bits, for comparing the steps' results. */
const bits = (tree: unknown): string =>
  JSON.stringify(tree, (_, v: unknown) =>
    typeof v === 'number' ? Array.from(new Uint32Array(Float64Array.of(v).buffer)).join(':') : v,
  )

export const trainStepGroups = (quick: boolean): Group[] => {
  const [splitKey, initKey] = random.split(random.key(0), 3)
  const split = loadIris(splitKey!)
  // one minibatch of 16, as train cuts them
  const rows = random.permutation(random.key(1), split.xTrain.shape[0]!).slice(0, 16)
  const x = take(split.xTrain, rows, 0)
  const y = take(split.yTrain, rows, 0)
  const loss = (params: MlpParams, xb: Tensor, yb: Tensor) =>
    softmaxCrossEntropy(irisNet.apply(params, xb), yb)
  const optimizer = adam(0.01)
  const params = irisNet.init(initKey!)
  // a state after some steps, as in the middle of training: the count is 10, not 0
  let state = optimizer.init(params)
  const eager = trainStep(loss, optimizer)
  let p = params
  for (let i = 0; i < 10; i++) [p, state] = eager(p, state, x, y)
  const jitLoss = trainStep(loss, optimizer, { jit: true })
  const jitStep = jit(trainStep(loss, optimizer))
  const reference = bits(eager(p, state, x, y))
  const same = (name: string, out: unknown) => {
    if (bits(out) !== reference) throw new Error(`${name}: not the eager step's bits`)
  }
  return [
    {
      title: 'Iris training step (MLP 4-16-3 tanh, softmax cross-entropy, Adam, batch 16)',
      baseline: 'eager trainStep',
      tasks: [
        {
          name: 'eager trainStep',
          fn: () => eager(p, state, x, y),
          validate: () => same('eager', eager(p, state, x, y)),
        },
        {
          name: 'trainStep({ jit: true }) (loss+gradient compiled)',
          setup: warmUp(() => jitLoss(p, state, x, y), warmUpMs(quick)),
          fn: () => jitLoss(p, state, x, y),
          validate: () => same('jit: true', jitLoss(p, state, x, y)),
        },
        {
          name: 'jit(trainStep) (the whole step compiled)',
          setup: warmUp(() => jitStep(p, state, x, y), warmUpMs(quick)),
          fn: () => jitStep(p, state, x, y),
          validate: () => same('jit(trainStep)', jitStep(p, state, x, y)),
        },
      ],
    },
    {
      // each call is a whole run, tracing and compiling its programs included, as the tour's is
      title: 'Iris tour training (trainIris: 100 epochs, 800 steps, from a fresh trainStep)',
      baseline: 'train, eager',
      tasks: tourTasks(),
    },
  ]
}

/** The tour's run with each `jit` option, validated against the eager run's bits. */
const tourTasks = () => {
  const run = (jit: boolean | 'step') => trainIris({ jit }).params
  const reference = bits(run(false))
  return (
    [
      ['train, eager', false],
      ['train, jit: true', true],
      ["train, jit: 'step'", 'step'],
    ] as const
  ).map(([name, option]) => ({
    name,
    fn: () => run(option),
    validate: () => {
      if (bits(run(option)) !== reference) throw new Error(`${name}: not the eager run's bits`)
    },
  }))
}
