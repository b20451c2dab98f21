/**
 * A pullback returned by `vjp` keeps its tape while the buffers the tape was recorded in go
 * back to the pool for the next transformation (issue #16 §2: a small `vjp` no longer allocates
 * a fresh set of typed arrays per call). What that relies on: the pullback reads its own copy,
 * whatever later transformations write into the pooled buffers; runs any number of times, with
 * different cotangents; runs inside its own backward pass (re-entrant); and long tapes, which
 * keep their buffers, behave the same.
 */
import fc from 'fast-check'
import {
  add,
  cos,
  customVjp,
  grad,
  jacrev,
  linearize,
  mul,
  sin,
  type Tensor,
  tensor,
  value,
  vjp,
} from 'fluxion'
import { describe, expect, it } from 'vitest'

/** y ← sin(y), 0.9·y, y + x in turn, n times; and its derivative in x by hand (forward mode). */
const chain = (n: number) => (x: number) => {
  let y = x
  for (let i = 0; i < n; i++) {
    const r = i % 3
    y = r === 0 ? sin(y) : r === 1 ? mul(y, 0.9) : add(y, x)
  }
  return y
}
const chainDerivative = (n: number, x: number): number => {
  let y = x
  let yDot = 1
  for (let i = 0; i < n; i++) {
    const r = i % 3
    if (r === 0) {
      yDot *= Math.cos(y)
      y = Math.sin(y)
    } else if (r === 1) {
      yDot *= 0.9
      y *= 0.9
    } else {
      yDot += 1
      y += x
    }
  }
  return yDot
}

const small = (x: number, y: number) => add(mul(sin(x), y), mul(x, cos(y)))
const smallGrad = (x: number, y: number): [number, number] => [
  Math.cos(x) * y + Math.cos(y),
  Math.sin(x) - x * Math.sin(y),
]

const close = (got: number, want: number): void => {
  expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(want)))
}

describe('a kept pullback', () => {
  it('reads its own tape after other transformations reused the buffers', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -3, max: 3, noNaN: true }),
        fc.double({ min: -3, max: 3, noNaN: true }),
        fc.double({ min: -5, max: 5, noNaN: true }),
        (x, y, c) => {
          const [, pullback] = vjp(small, x, y)
          // these record into the pooled buffers the pullback's tape was recorded in
          grad(chain(30))(y)
          vjp(chain(300), x)[1](1)
          jacrev((t: number) => mul(t, t))(c)
          const [gx, gy] = smallGrad(x, y)
          const [a, b] = pullback(c)
          close(a, c * gx)
          close(b, c * gy)
          // again, with another cotangent: the run left the tape as it was
          const [a2, b2] = pullback(1)
          close(a2, gx)
          close(b2, gy)
        },
      ),
      { numRuns: 50 },
    )
  })

  it('gives the same bits run on its lent buffers and after another tape claimed them', () => {
    // a small kept tape keeps its buffers until the next tape needs them (then it packs itself):
    // runs before and after that, and runs interleaved with the claim, agree to the bit
    for (const [x, y] of [
      [0.3, 0.7],
      [-1.2, 2.5],
      [1e-300, -0],
    ] as const) {
      const [, pullback] = vjp(small, x, y)
      const onBuffers = [pullback(1), pullback(-2.5)]
      grad(chain(30))(y) // claims the buffers: the tape packs itself
      const packed = [pullback(1), pullback(-2.5)]
      expect(packed.flat().every((v, i) => Object.is(v, onBuffers.flat()[i]))).toBe(true)
      // a newer kept tape takes the loan; the older one packs itself and still runs
      const [, newer] = vjp(small, y, x)
      const again = pullback(1)
      expect(again.every((v, i) => Object.is(v, onBuffers[0]![i]))).toBe(true)
      expect(newer(1).every((v, i) => Object.is(v, vjp(small, y, x)[1](1)[i]))).toBe(true)
    }
  })

  it('interleaves with other kept pullbacks', () => {
    const xs = [0.3, -1.2, 2.5, 0.9]
    const pullbacks = xs.map((x) => vjp(small, x, 0.7)[1])
    for (let round = 0; round < 3; round++) {
      pullbacks.forEach((pullback, i) => {
        const [a, b] = pullback(round + 1)
        const [gx, gy] = smallGrad(xs[i]!, 0.7)
        close(a, (round + 1) * gx)
        close(b, (round + 1) * gy)
      })
    }
  })

  it('runs inside its own backward pass', () => {
    // a custom rule whose backward pass calls the pullback that is running it, once
    let inner: ((c: number) => [number]) | undefined
    let depth = 0
    const scaled = customVjp(
      (t: number) => mul(t, 2),
      (t: number) => [mul(t, 2), null] as const,
      (_res: null, g: number) => {
        depth++
        const extra = depth === 1 && inner !== undefined ? inner(1)[0] : 0
        depth--
        return [add(mul(g, 2), extra)]
      },
    )
    const [, pullback] = vjp((x: number) => scaled(sin(x)), 0.4)
    inner = pullback
    // outer run: 2·cos x, plus the inner run's 2·cos x carried through cos x once more
    const d = 2 * Math.cos(0.4)
    close(pullback(1)[0], (2 + d) * Math.cos(0.4))
    inner = undefined
    close(pullback(1)[0], d)
  })

  it('gives the value of a leaked traced number', () => {
    let leaked: number | undefined
    vjp((x: number) => {
      leaked = sin(x)
      return leaked
    }, 0.5)
    // the tape is kept, so the node's value is still there to read
    expect(value(leaked as number)).toBe(Math.sin(0.5))
  })
})

describe('long tapes', () => {
  it('run many times beyond the packing limit, as short ones do', () => {
    for (const n of [3, 700, 3000]) {
      const [y, pullback] = vjp(chain(n), 0.7)
      expect(typeof y).toBe('number')
      const d = chainDerivative(n, 0.7)
      close(pullback(-2)[0], -2 * d)
      close(pullback(1)[0], d)
    }
  })
})

describe('linearize', () => {
  it('keeps both of its tapes', () => {
    const [, push] = linearize((x: number, y: number) => small(x, y), 1.1, -0.4)
    grad(chain(30))(0.2)
    const [gx, gy] = smallGrad(1.1, -0.4)
    close(push(1, 0), gx)
    close(push(0, 2), 2 * gy)
    close(push(1, 1), gx + gy)
  })
})

describe('tensor leaves', () => {
  it('a pullback of tensors, after the pool was reused', () => {
    const f = (x: Tensor) => mul(sin(x), x)
    const [, pullback] = vjp(f, tensor([0.5, 1.5]))
    grad(chain(30))(0.2)
    const [xBar] = pullback(tensor([1, 2]))
    const want = [0.5, 1.5].map((x, i) => (i + 1) * (Math.cos(x) * x + Math.sin(x)))
    close(xBar.data[0]!, want[0]!)
    close(xBar.data[1]!, want[1]!)
  })
})
