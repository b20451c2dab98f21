/** Helpers several evals share: log-sum-exp from primitives, JSON conversion. */
import { add, exp, log, max, squeeze, stopGradient, sub, sum, type Tensor } from 'fluxion'

/**
 * log Σ exp(x) over the last axis (or over all of x when `axis` is omitted), shifted by the
 * maximum for stability. The shift's terms cancel exactly in the derivative, so it is cut with
 * `stopGradient`; the rest (exp, sum, log) is differentiated by fluxion.
 */
export const lse = (x: Tensor, axis?: number): Tensor => {
  if (axis === undefined) {
    const m = stopGradient(max(x))
    return add(m, log(sum(exp(sub(x, m)))))
  }
  const m = stopGradient(max(x, axis, { keepdims: true }))
  return squeeze(add(m, log(sum(exp(sub(x, m)), axis, { keepdims: true }))), axis)
}

/** A tensor's entries as a plain array. */
export const toList = (t: Tensor): number[] => Array.from(t.data)

/** A tensor's value as a plain number (rank 0 or one element). */
export const toNumber = (t: Tensor | number): number => (typeof t === 'number' ? t : t.item())
