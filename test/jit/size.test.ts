/**
 * `jit` at sizes where eager code works: long programs compile and replay the eager bits (no
 * engine limit met: no recursion, no generated function growing with the program), and a
 * program past the trace limit runs eagerly instead of holding several times eager memory.
 * The 10⁶-op case runs in `npm run test:deep`, and in bench/jit-cost.ts.
 */
import { add, grad, InvalidArgumentError, jit, mul, type Scalar, sin } from 'fluxion'
import { describe, expect, it } from 'vitest'
import { traceLimit } from '../../src/jit/trace.ts'

const chain = (x: Scalar, n: number): Scalar => {
  let y = x
  for (let op = 0; op < n; op++) {
    y = op % 3 === 0 ? sin(y) : op % 3 === 1 ? mul(y, 0.5) : add(y, 0.25)
  }
  return y
}

describe('jit of long programs', () => {
  it('compiles a 10⁵-op scalar gradient (past the old RangeError size) and replays its bits', () => {
    let traces = 0
    const f = (x: number) => {
      traces++
      return chain(x, 100_000) as number
    }
    const g = jit(grad(f))
    const eager = grad(f)(0.3)
    expect(g(0.3)).toBe(eager)
    expect(g(0.3)).toBe(eager)
    expect(g(0.7)).toBe(grad(f)(0.7))
    // one trace, one eager run per eager call: the replays did not run f
    expect(traces).toBe(3)
  })

  // ~10 s: in `npm run test:deep` only
  it.runIf(Number(process.env.FC_NUM_RUNS ?? 0) >= 1000)(
    'compiles a 10⁶-op scalar gradient and replays its bits',
    () => {
      const f = (x: number) => chain(x, 1_000_000) as number
      const g = jit(grad(f))
      const eager = grad(f)(0.3)
      expect(g(0.3)).toBe(eager)
      expect(g(0.3)).toBe(eager)
    },
    120_000,
  )

  it('past the trace limit, runs f itself on every call, with the eager bits', () => {
    const limit = traceLimit.vars
    traceLimit.vars = 1000
    try {
      let traces = 0
      const f = (x: number) => {
        traces++
        return chain(x, 2000) as number
      }
      const g = jit(grad(f))
      expect(g(0.3)).toBe(grad(f)(0.3))
      // the first call gave up tracing and ran f; the later one runs f directly
      expect(traces).toBe(3)
      expect(g(0.7)).toBe(grad(f)(0.7))
      expect(traces).toBe(5)
      // a program under the limit still compiles
      const small = jit(grad((x: number) => chain(x, 100) as number))
      expect(small.trace(0.3).stats.equations).toBeGreaterThan(100)
      // reading the program names the limit and how to stay under it
      expect(() => g.trace(0.3)).toThrow(InvalidArgumentError)
      expect(() => g.trace(0.3)).toThrow(/more than 1000 values/)
    } finally {
      traceLimit.vars = limit
    }
  })
})
