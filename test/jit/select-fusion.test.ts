/**
 * `where` and the comparisons inside fused loops, and `reshape` as a view: a masked branch
 * (`where(x > 0, f(x), g(x))`, and the `where(c, ȳ, 0)` of its derivative) runs in the loop that
 * computes its operands instead of as a broadcasting kernel call between two loops, to eager's
 * bits, in the JS loop and in the WebAssembly one; a reshape between two loops (a [p] value read
 * as [p, 1] by a batched Jacobian's loops) shares its operand's storage instead of copying it,
 * and no later run overwrites a result the caller holds.
 */
import fc from 'fast-check'
import {
  add,
  cbrt,
  cos,
  exp,
  fmod,
  grad,
  greater,
  index,
  jit,
  less,
  log,
  log2,
  log10,
  mul,
  reshape,
  sin,
  slice,
  sqrt,
  sum,
  type Tensor,
  tanh,
  tensor,
  vmap,
  where,
} from 'fluxion'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { abstractStats } from '../../src/jit/abstract.ts'
import { contiguousStart } from '../../src/jit/emit/kernel.ts'
import { CALL_SHARE } from '../../src/jit/emit/wasm/loop-module.ts'
import {
  MAX_MODULE_BYTES,
  MAX_MODULE_BYTES_NODE,
  setWasmLoopMinElements,
  setWasmModuleMaxBytes,
  wasmLoopStats,
} from '../../src/jit/emit/wasm/step.ts'
import { MAX_CHAIN, MAX_WASM_CHAIN } from '../../src/jit/passes/fuse.ts'
import { sameBits, value } from './wasm-helpers.ts'

/** The rotation's guard of ba's objective: a square root kept finite at 0, a branch on it. */
const guarded = (x: Tensor, y: Tensor): Tensor => {
  const sq = mul(x, x)
  const nonzero = greater(sq, 0)
  const theta = sqrt(where(nonzero, sq, 1))
  return where(nonzero, mul(cos(theta), y), add(y, x))
}

describe('where and the comparisons fuse', () => {
  it('a branch on a comparison is one loop, no kernel call', () => {
    const t = jit(guarded).trace(tensor([0, 1, -2]), tensor([3, 4, 5]))
    expect(t.stats).toEqual({ equations: 8, kernels: 0, loops: 1, fused: 8 })
  })

  it('the derivative of a branch fuses too (its where(c, ȳ, 0) pullback)', () => {
    const f = jit(grad((x: Tensor) => sum(guarded(x, exp(x)))))
    const stats = f.trace(tensor([0, 1, -2])).stats
    expect(stats.kernels).toBeLessThanOrEqual(2) // the sums' reductions only
    const x = tensor([0, 1, -2, -0, 0.5])
    const eager = grad((x: Tensor) => sum(guarded(x, exp(x))))(x)
    sameBits(f(x).data, eager.data, 'first call')
    sameBits(f(x).data, eager.data, 'compiled')
  })

  it('where at every special condition (±0 takes b, NaN takes a), broadcast branches', () => {
    const f = (c: Tensor, a: Tensor, b: Tensor): Tensor =>
      add(where(c, mul(a, 2), b), where(less(a, c), 1, a))
    const row = fc.array(value, { minLength: 4, maxLength: 4 })
    fc.assert(
      fc.property(row, row, row, (c, a, b) => {
        const args = [tensor(c), tensor([a, b]), tensor(b)] as const
        const g = jit(f)
        const eager = f(...args)
        sameBits(g(...args).data, eager.data, 'first call')
        sameBits(g(...args).data, eager.data, 'compiled')
      }),
      { numRuns: 50 },
    )
  })

  describe('in WebAssembly', () => {
    let threshold = 0
    beforeAll(() => {
      threshold = setWasmLoopMinElements(0)
    })
    afterAll(() => {
      setWasmLoopMinElements(threshold)
    })

    it('Math functions are imported (each, and two in one chain), to the bit', () => {
      // a chain calls them only among enough other operations (CALL_SHARE per call)
      const arithmetic = (x: Tensor, k: number): Tensor => {
        let a = x
        for (let i = 0; i < k; i++) a = add(mul(a, 0.5), x)
        return a
      }
      const one = [exp, log, log2, log10, cbrt, sin, cos, tanh].map(
        (g) => (x: Tensor) => add(arithmetic(x, CALL_SHARE / 2), g(x)),
      )
      const two = (x: Tensor) => add(arithmetic(x, CALL_SHARE), sin(cos(x)))
      const vec = fc.array(value, { minLength: 1, maxLength: 9 })
      fc.assert(
        fc.property(vec, (xs) => {
          const x = tensor(xs)
          for (const f of [...one, two]) {
            const g = jit(f)
            g(x)
            const before = wasmLoopStats.runs
            const y = g(x)
            expect(wasmLoopStats.runs).toBe(before + 1)
            sameBits(y.data, f(x).data, 'wasm')
          }
        }),
        { numRuns: 30 },
      )
    })

    it('a branch on a comparison runs as a wasm loop, to the bit', () => {
      const f = (c: Tensor, a: Tensor, b: Tensor): Tensor =>
        where(greater(c, a), mul(a, b), where(c, b, sqrt(a)))
      const vec = fc.array(value, { minLength: 5, maxLength: 5 })
      fc.assert(
        fc.property(vec, vec, vec, (c, a, b) => {
          const args = [tensor(c), tensor(a), tensor(b)] as const
          const g = jit(f)
          g(...args)
          const before = wasmLoopStats.runs
          const y = g(...args)
          expect(wasmLoopStats.runs).toBe(before + 1)
          sameBits(y.data, f(...args).data, 'wasm')
        }),
        { numRuns: 50 },
      )
    })
  })
})

describe('reshape as a view', () => {
  it('no copy: the reshaped value shares its operand’s storage', () => {
    // (the reshape's operand comes from a loop, and its result is read by another loop)
    const f = jit((x: Tensor) => {
      const y = exp(x)
      const r = reshape(y, [3, 1])
      return [y, mul(r, tensor([[1, 2]]))] as const
    })
    const x = tensor([0, 1, 2])
    expect(f.trace(x).fused).toContain('kernel c:f64[3,1] = reshape')
    const [y, z] = f(x)
    const [y2, z2] = f(x)
    expect(z.toArray()).toEqual([
      [1, 2],
      [Math.E, 2 * Math.E],
      [Math.exp(2), 2 * Math.exp(2)],
    ])
    expect(y2.toArray()).toEqual(y.toArray())
    expect(z2.toArray()).toEqual(z.toArray())
  })

  it('the view is observable where a program returns both (one buffer, as eager `[y, y]`)', () => {
    const f = jit((x: Tensor) => {
      const y = exp(x)
      return [y, reshape(y, [1, 3])] as const
    })
    f(tensor([0, 1, 2])) // (the first call runs f eagerly, as it traces)
    const [y, r] = f(tensor([0, 1, 2]))
    expect(r.data).toBe(y.data)
    expect(r.shape).toEqual([1, 3])
  })

  it('a later run never overwrites a result the caller holds', () => {
    const f = jit((x: Tensor) => reshape(exp(x), [2, 2]))
    const first = f(tensor([0, 0, 0, 0]))
    const second = f(tensor([1, 1, 1, 1]))
    expect(first.toArray()).toEqual([
      [1, 1],
      [1, 1],
    ])
    expect(second.data[0]).toBe(Math.E)
  })

  it('an output reshaped from an argument is a copy (the caller may write into it)', () => {
    const f = jit((x: Tensor) => reshape(x, [2, 2]))
    const x = tensor([1, 2, 3, 4])
    f(x)
    const y = f(x)
    expect(y.data).not.toBe(x.data)
    expect(y.data.buffer).not.toBe(x.data.buffer)
    y.data[0] = 9
    expect(x.data[0]).toBe(1)
  })

  it('a batched Jacobian of a branch (vmap of grad) equals eager to the bit', () => {
    const h = (v: Tensor): Tensor => sum(guarded(v, mul(v, v)))
    const g = vmap(grad(h))
    const x = tensor([
      [0, 1, 2],
      [-1, 0.5, 0],
      [3, -0, 4],
    ])
    const f = jit(g)
    sameBits(f(x).data, g(x).data, 'first call')
    sameBits(f(x).data, g(x).data, 'compiled')
  })
})

describe('a slice of consecutive elements as a view', () => {
  it('which slices take consecutive elements, and where they start', () => {
    const p = (starts: number[], ends: number[], steps = starts.map(() => 1)) => ({
      starts,
      ends,
      steps,
    })
    // a row of [11, 5], rows 2–3, a block of [2, 3, 4], the whole array
    expect(contiguousStart(p([3, 0], [4, 5]), [11, 5])).toBe(15)
    expect(contiguousStart(p([2, 0], [4, 5]), [11, 5])).toBe(10)
    expect(contiguousStart(p([1, 1, 0], [2, 3, 4]), [2, 3, 4])).toBe(16)
    expect(contiguousStart(p([0, 0], [11, 5]), [11, 5])).toBe(0)
    expect(contiguousStart(p([0, 2], [1, 4]), [11, 5])).toBe(2) // part of the first row
    // not consecutive: a column, two partial rows, a step, a reversed axis, an empty array
    expect(contiguousStart(p([0, 1], [11, 2]), [11, 5])).toBeUndefined()
    expect(contiguousStart(p([0, 1], [2, 5]), [11, 5])).toBeUndefined()
    expect(contiguousStart(p([0, 0], [5, 5], [2, 1]), [11, 5])).toBeUndefined()
    expect(contiguousStart(p([3, 0], [1, 5], [-1, 1]), [11, 5])).toBeUndefined()
    expect(contiguousStart(p([0, 0], [0, 5]), [0, 5])).toBeUndefined()
  })

  it('rows of a gathered matrix: eager’s numbers, shared storage, untouched by later runs', () => {
    const f = jit((m: Tensor) => {
      const rows = exp(m)
      return [index(rows, 1), mul(index(rows, 2), 2), slice(rows, [0, 1], [1, 3])] as const
    })
    const m = (k: number) =>
      tensor([
        [0, 1, 2],
        [3, 4, 5],
        [6, 7, k],
      ])
    f(m(8))
    const [a, b, c] = f(m(8))
    expect(a.toArray()).toEqual([3, 4, 5].map(Math.exp))
    expect(b.toArray()).toEqual([6, 7, 8].map((v) => 2 * Math.exp(v)))
    expect(c.toArray()).toEqual([[Math.exp(1), Math.exp(2)]])
    expect(a.data.buffer).toBe(c.data.buffer) // views of one buffer
    f(m(9))
    expect(a.toArray()).toEqual([3, 4, 5].map(Math.exp))
  })

  it('a view of an argument is copied on the way out', () => {
    const f = jit((m: Tensor) => index(m, 1))
    const m = tensor([
      [1, 2],
      [3, 4],
    ])
    f(m)
    const y = f(m)
    expect(y.toArray()).toEqual([3, 4])
    expect(y.data.buffer).not.toBe(m.data.buffer)
  })
})

describe('wasm loops of long chains under Node', () => {
  it('the modules’ size limit: the browsers’ 4 KB, 64 KB under Node', () => {
    const was = setWasmModuleMaxBytes(0)
    setWasmModuleMaxBytes(was)
    expect(was).toBe(MAX_MODULE_BYTES_NODE)
    expect(MAX_MODULE_BYTES).toBe(4096)
    // products and sums of 8 operands (`steps` of each: distinct chains, each compiled once)
    const chain =
      (steps: number) =>
      (...xs: Tensor[]): Tensor => {
        let acc = xs[0]!
        for (let k = 0; k < steps; k++) acc = add(mul(acc, xs[(k + 1) % 8]!), xs[k % 8]!)
        return acc
      }
    const xs = Array.from({ length: 8 }, (_, k) =>
      tensor(Float64Array.from({ length: 2048 }, (_v, i) => 1 + ((i * (k + 3)) % 7) / 8)),
    )
    const runs = (steps: number, limit: number): number => {
      const before = setWasmModuleMaxBytes(limit)
      try {
        const f = chain(steps)
        const g = jit(f)
        g(...xs)
        const count = wasmLoopStats.runs
        sameBits(g(...xs).data, f(...xs).data, `limit ${limit}`)
        return wasmLoopStats.runs - count
      } finally {
        setWasmModuleMaxBytes(before)
      }
    }
    expect(runs(15, 65536)).toBe(1)
    const bytes = wasmLoopStats.last.length
    // a module above the limit stays a JS loop (same numbers)
    expect(runs(14, bytes - 200)).toBe(0)
  })
})

describe('long chains where they will run in wasm', () => {
  // (the default threshold, also where the CI run sets every loop to wasm)
  let threshold = 0
  beforeAll(() => {
    threshold = setWasmLoopMinElements(1024)
  })
  afterAll(() => {
    setWasmLoopMinElements(threshold)
  })

  // 40 equations: past MAX_CHAIN (32), within MAX_WASM_CHAIN (64)
  const f = (x: Tensor, y: Tensor): Tensor => {
    let a = x
    for (let k = 0; k < 20; k++) a = add(mul(a, y), x)
    return a
  }
  const of = (n: number) =>
    [0, 1].map((k) => tensor(Float64Array.from({ length: n }, (_v, i) => ((i + k) % 5) / 4)))

  it('one loop over ≥ 1024 elements under Node, two below the wasm threshold', () => {
    expect(MAX_CHAIN).toBe(32)
    expect(MAX_WASM_CHAIN).toBe(64)
    const [x, y] = of(1024)
    expect(jit(f).trace(x!, y!).stats).toEqual({ equations: 40, kernels: 0, loops: 1, fused: 40 })
    const [u, v] = of(1023)
    expect(jit(f).trace(u!, v!).stats).toEqual({ equations: 40, kernels: 0, loops: 2, fused: 40 })
  })

  it('a chain the wasm loop would not take stays at MAX_CHAIN (Math calls, %)', () => {
    const [x, y] = of(1024)
    const calls = (x: Tensor): Tensor => {
      let a = x
      for (let k = 0; k < 20; k++) a = add(exp(a), x)
      return a
    }
    expect(jit(calls).trace(x!).stats.loops).toBe(2)
    const rem = (x: Tensor, y: Tensor): Tensor => {
      let a = x
      for (let k = 0; k < 20; k++) a = add(fmod(a, y), x)
      return a
    }
    expect(jit(rem).trace(x!, y!).stats.loops).toBe(2)
  })

  it('a chain with an operand broadcast along the rows grows long (wasm reads it by row map)', () => {
    // [32, 1] read against [32, 32]: broadcast along the last axis
    const m = tensor(
      Float64Array.from({ length: 1024 }, (_v, i) => i % 3),
      [32, 32],
    )
    const column = tensor(
      Float64Array.from({ length: 32 }, (_v, i) => i),
      [32, 1],
    )
    const broadcast = (m: Tensor, c: Tensor): Tensor => {
      let a = m
      for (let k = 0; k < 20; k++) a = add(mul(a, c), m)
      return a
    }
    expect(jit(broadcast).trace(m, column).stats.loops).toBe(1)
    // and runs there, with eager's bits
    const before = wasmLoopStats.runs
    const abstractBefore = abstractStats.traces
    const jb = jit(broadcast)
    jb(m, column)
    expect(Array.from(jb(m, column).data)).toEqual(Array.from(broadcast(m, column).data))
    // the replay runs it, and so does the first call when traced abstractly (1024 elements)
    expect(abstractStats.traces - abstractBefore).toBe(1)
    expect(wasmLoopStats.runs - before).toBe(2)
  })

  it('the browsers’ module limit keeps MAX_CHAIN; the long loop gives eager’s bits', () => {
    const [x, y] = of(2048)
    const was = setWasmModuleMaxBytes(MAX_MODULE_BYTES)
    try {
      expect(jit(f).trace(x!, y!).stats.loops).toBe(2)
    } finally {
      setWasmModuleMaxBytes(was)
    }
    const g = jit(f)
    g(x!, y!)
    const before = wasmLoopStats.runs
    sameBits(g(x!, y!).data, f(x!, y!).data, 'long chain')
    expect(wasmLoopStats.runs).toBe(before + 1)
  })
})
