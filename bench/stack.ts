/**
 * `stack` and `concat` along axis 0 and along an inner axis (issue #16 §2: an inner axis within
 * 1.5× of axis 0), beside a hand-written interleaving loop: 100 parts of 1000 values each, as
 * `stack` of [1000] vectors and `concat` of [10, 100] matrices. Axis 0 copies each part in one
 * block; an inner axis places each part's values at a stride.
 */
import { concat, stack, type Tensor, tensor } from 'fluxion'
import type { Group, Task } from './harness.ts'
import { lazy, wave } from './kernels.ts'
import { near } from './rosenbrock.ts'

const count = 100
const length = 1000

const input = lazy(() => {
  const arrays = Array.from({ length: count }, (_, k) => wave(length, 1, k))
  return {
    arrays,
    vectors: arrays.map((a) => tensor(a)),
    matrices: arrays.map((a) => tensor(a, [10, 100])),
  }
})

/** `stack(parts, 1)` by hand: out[i, k] = parts[k][i]. */
const interleave = (arrays: readonly Float64Array[]): Float64Array => {
  const out = new Float64Array(count * length)
  for (let k = 0; k < count; k++) {
    const a = arrays[k]!
    for (let i = 0; i < length; i++) out[i * count + k] = a[i]!
  }
  return out
}

const task = (name: string, fn: () => Tensor, check: () => void): Task => ({
  name,
  fn,
  validate: check,
})

/** The stack/concat group of the kernels suite. */
export const stackGroup = (): Group => {
  const byHand = () => interleave(input().arrays)
  return {
    title: `kernels stack and concat of ${count} parts of ${length}, axis 0 and inner axis (µs)`,
    baseline: 'hand-written interleaving loop',
    tasks: [
      { name: 'hand-written interleaving loop', fn: byHand, validate: () => {} },
      task(
        'stack [1000] parts, axis 0',
        () => stack(input().vectors, 0),
        () => near(stack(input().vectors, 0).data.subarray(length, 2 * length), input().arrays[1]!),
      ),
      task(
        'stack [1000] parts, axis 1',
        () => stack(input().vectors, 1),
        () => near(stack(input().vectors, 1).data, byHand()),
      ),
      task(
        'concat [10, 100] parts, axis 0',
        () => concat(input().matrices, 0),
        () => near(concat(input().matrices, 0).data.subarray(0, length), input().arrays[0]!),
      ),
      task(
        'concat [10, 100] parts, axis 1',
        () => concat(input().matrices, 1),
        // row r of the result is every part's row r in turn
        () =>
          near(
            concat(input().matrices, 1).data.subarray(100, 200),
            input().arrays[1]!.subarray(0, 100),
          ),
      ),
    ],
  }
}
