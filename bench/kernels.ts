/** Inputs shared by the kernel and overhead benchmarks. */

/** `make()` on the first call, the same value afterwards. */
export const lazy = <T>(make: () => T): (() => T) => {
  let value: T | undefined
  return () => {
    value ??= make()
    return value
  }
}

/**
 * n deterministic values in [−amplitude, amplitude]: amplitude·sin(i·0.7 + phase). Irregular
 * enough that no branch predictor or constant folding helps, and the same on every run.
 */
export const wave = (n: number, amplitude: number, phase: number): Float64Array => {
  const out = new Float64Array(n)
  for (let i = 0; i < n; i++) out[i] = amplitude * Math.sin(i * 0.7 + phase)
  return out
}
