/**
 * Terminal output for the tour's training runs: a progress bar on stderr when it is an
 * interactive terminal, plain periodic lines when it is not (a pipe, a file) or when `CI` is
 * set, and the loss curve drawn with asciichart on a log scale. Nothing here is coloured, so `NO_COLOR` is
 * honoured trivially. The library itself prints nothing: `train` reports through `onProgress`.
 */
import { plot } from 'asciichart'
import { Presets, SingleBar } from 'cli-progress'
import type { Progress } from 'fluxion/optim'

/** A progress reporter: pass `onProgress` to `train`, call `stop` when training returns. */
export interface Reporter {
  readonly onProgress: (progress: Progress) => void
  readonly stop: () => void
}

/** Reports training progress on stderr: a bar on a TTY, otherwise about five plain lines. */
export function progressReporter(label: string): Reporter {
  const interactive = process.stderr.isTTY === true && process.env.CI === undefined
  let bar: SingleBar | undefined
  // minibatch losses jump from batch to batch: both outputs show the epoch's running mean
  let epochLoss = 0
  let epochSteps = 0
  let epoch = 0
  const onProgress = (p: Progress): void => {
    if (p.epoch !== epoch) {
      epoch = p.epoch
      epochLoss = 0
      epochSteps = 0
    }
    epochLoss += p.loss
    epochSteps++
    const meanLoss = (epochLoss / epochSteps).toFixed(4)
    if (interactive) {
      if (bar === undefined) {
        bar = new SingleBar(
          {
            format: `${label} |{bar}| {value}/{total} steps | epoch {epoch} | epoch-mean loss {loss}`,
            stream: process.stderr,
            fps: 10, // redraws throttled to ≤ 10 per second
            hideCursor: true,
          },
          Presets.shades_classic,
        )
        bar.start(p.total, 0, { epoch: 0, loss: '-' })
      }
      bar.update(p.step, { epoch: p.epoch, loss: meanLoss })
      return
    }
    if (p.step < (p.epoch * p.total) / p.epochs) return // the epoch is not over yet
    const every = Math.max(1, Math.ceil(p.epochs / 5))
    if (p.epoch % every === 0 || p.epoch === p.epochs) {
      process.stderr.write(
        `${label}: epoch ${p.epoch}/${p.epochs}, step ${p.step}/${p.total}, mean minibatch loss ${meanLoss}\n`,
      )
    }
  }
  return { onProgress, stop: () => bar?.stop() }
}

/**
 * The series drawn as an ASCII line chart on a log scale (losses fall by orders of magnitude,
 * and a linear axis flattens the tail), resampled to at most `width` points. Labels are the
 * values themselves. Non-positive values cannot be drawn on a log scale and are left out.
 */
export function lossChart(series: readonly number[], width = 60, height = 10): string {
  const stride = Math.max(1, Math.ceil(series.length / width))
  const points = series.filter((v, i) => i % stride === 0 && v > 0).map(Math.log10)
  return plot(points, { height, format: (y) => formatLoss(10 ** y).padStart(9) })
}

/** Three significant digits, in exponent form below 0.001. */
const formatLoss = (x: number): string => (x >= 0.001 ? x.toPrecision(3) : x.toExponential(2))
