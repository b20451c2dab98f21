/**
 * `variance std argmax argmin any all countNonzero` against plain-JS loops over every group of
 * reduced entries (fast-check: shapes, axes, ddof, keepdims, ties and NaN), their derivatives in
 * every mode (zero for the arg-ops and logical reductions), `std` at zero variance, and bad
 * input.
 */
import fc from 'fast-check'
import {
  add,
  all,
  any,
  argmax,
  argmin,
  countNonzero,
  derivative,
  grad,
  hessian,
  InvalidArgumentError,
  jacfwd,
  jacrev,
  jit,
  jvp,
  mul,
  ShapeError,
  std,
  sum,
  type Tensor,
  tensor,
  variance,
  vmap,
} from 'fluxion'
import { describe, expect, it } from 'vitest'
import { expectClose } from '../helpers.ts'
import { checkModes } from './modes.ts'

/** `f` of each group of entries that share their kept indices, row-major over the kept axes. */
const perGroup = (
  data: readonly number[],
  shape: readonly number[],
  axes: readonly number[],
  f: (values: number[]) => number,
): number[] => {
  const kept = shape.map((_, i) => i).filter((i) => !axes.includes(i))
  const groups = new Map<string, number[]>()
  const keys: string[] = []
  // every output position first, so groups over nothing exist too
  const keptShape = kept.map((i) => shape[i]!)
  const count = keptShape.reduce((a, b) => a * b, 1)
  for (let o = 0; o < count; o++) {
    const key = String(o)
    keys.push(key)
    groups.set(key, [])
  }
  data.forEach((v, flat) => {
    let rest = flat
    const index = shape.map(() => 0)
    for (let i = shape.length - 1; i >= 0; i--) {
      index[i] = rest % shape[i]!
      rest = Math.floor(rest / shape[i]!)
    }
    const o = kept.reduce((acc, i) => acc * shape[i]! + index[i]!, 0)
    groups.get(String(o))!.push(v)
  })
  return keys.map((k) => f(groups.get(k)!))
}

const shapeAndAxes = fc
  .array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 3 })
  .chain((shape) =>
    fc.record({
      shape: fc.constant(shape),
      axes: fc.subarray(shape.map((_, i) => i)),
      keepdims: fc.boolean(),
    }),
  )

const withData = (entry: fc.Arbitrary<number>) =>
  shapeAndAxes.chain(
    (c) =>
      fc.record({
        ...Object.fromEntries(Object.entries(c).map(([k, v]) => [k, fc.constant(v)])),
        data: fc.array(entry, {
          minLength: c.shape.reduce((a, b) => a * b, 1),
          maxLength: c.shape.reduce((a, b) => a * b, 1),
        }),
      }) as fc.Arbitrary<typeof c & { data: number[] }>,
  )

const keptShape = (shape: readonly number[], axes: readonly number[], keepdims: boolean) =>
  keepdims
    ? shape.map((d, i) => (axes.includes(i) ? 1 : d))
    : shape.filter((_, i) => !axes.includes(i))

describe('variance and std', () => {
  const varianceOf = (ddof: number) => (v: number[]) => {
    const m = v.reduce((a, b) => a + b, 0) / v.length
    return v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - ddof)
  }

  it('equal the two-pass formula over every group', () => {
    fc.assert(
      fc.property(
        withData(fc.double({ min: -100, max: 100, noNaN: true })),
        fc.constantFrom(0, 1),
        ({ shape, axes, keepdims, data }, ddof) => {
          const n = axes.reduce((p, a) => p * shape[a]!, 1)
          fc.pre(n - ddof > 0)
          const x = tensor(data, shape)
          const expected = perGroup(data, shape, axes, varianceOf(ddof))
          const out = keptShape(shape, axes, keepdims)
          const scale = 1e-12 * Math.max(1, ...data.map((d) => d * d))
          expectClose(variance(x, axes, { ddof, keepdims }), tensor(expected, out), 1e-10, scale)
          expectClose(
            std(x, axes, { ddof, keepdims }),
            tensor(expected.map(Math.sqrt), out),
            1e-8,
            1e-6,
          )
        },
      ),
    )
  })

  it('known values; equal entries give exactly 0; a number gives 0', () => {
    expect(variance(tensor([1, 2, 3, 4])).item()).toBe(1.25)
    expect(
      std(
        tensor([
          [1, 3],
          [5, 9],
        ]),
        1,
      ).toArray(),
    ).toEqual([1, 2])
    expect(variance(tensor([0.1, 0.1, 0.1])).item()).toBe(0)
    expect(variance(tensor([[2, 4]]), -1, { keepdims: true }).toArray()).toEqual([[1]])
    expect(variance(3)).toBe(0)
  })

  it('derivatives in every mode', () => {
    const x = tensor([
      [0.5, -1.2, 0.8],
      [2, 0.3, -0.7],
    ])
    checkModes((z) => variance(z, 1), x)
    checkModes((z) => variance(z, null, { ddof: 1, keepdims: true }), x)
    checkModes((z) => std(z, 0, { ddof: 1 }), x)
    expectClose(grad((z: Tensor) => variance(z))(tensor([1, 3])), [-1, 1])
  })

  it('std at zero variance: derivative 0 in every mode, never NaN', () => {
    const c = tensor([0.1, 0.1, 0.1])
    expect(grad((z: Tensor) => std(z))(c).toArray()).toEqual([0, 0, 0])
    expect(jacfwd((z: Tensor) => std(z, 0, { ddof: 1 }))(c).toArray()).toEqual([0, 0, 0])
    expect(jacrev((z: Tensor) => std(z, 0, { ddof: 1 }))(c).toArray()).toEqual([0, 0, 0])
    expect(jvp((z: Tensor) => std(z), [c], [tensor([1, 2, 3])])[1].item()).toBe(0)
    // the second derivative is infinite there (std(c + t·v) = |t|·std(v)), as documented
    const line = (t: number) => std(add(c, mul(t, tensor([1, 2, 3])))) as unknown as number
    expect(derivative(line, 2)(0)).toBe(Infinity)
  })

  it('std at every scale: its squares would under- or overflow, std does not', () => {
    const tiny = tensor([1e-200, -1e-200])
    expect(std(tiny).item()).toBe(1e-200)
    expect(grad((z: Tensor) => std(z))(tiny).toArray()).toEqual([0.5, -0.5])
    expectClose(std(tensor([3e200, -3e200]), 0, { ddof: 1 }).item(), 3e200 * Math.SQRT2)
    // ∂std/∂xᵢ = (xᵢ − mean)/(N·std), scale-free: 1/(3·√(2/3)) for (a, 0, −a)
    const slope = 1 / (3 * Math.sqrt(2 / 3))
    expectClose(jacfwd((z: Tensor) => std(z))(tensor([4e-170, 0, -4e-170])), [slope, 0, -slope])
    // ordinary inputs keep the bits of √variance: the scale is a power of two
    const x = tensor([0.5, -1.2, 0.8, 2, 0.3])
    expect(std(x).item()).toBe(Math.sqrt(variance(x).item()))
  })

  it('throws for a ddof that leaves no degrees of freedom, a bad ddof, a bad axis', () => {
    expect(() => variance(tensor([1]), null, { ddof: 1 })).toThrow(InvalidArgumentError)
    expect(() => std(tensor([1, 2]), 0, { ddof: 2 })).toThrow(/no degrees of freedom/)
    expect(() => variance(tensor([], [0]))).toThrow(/no degrees of freedom/)
    expect(() => variance(tensor([1, 2]), null, { ddof: -1 })).toThrow(/ddof must be/)
    expect(() => variance(tensor([1, 2]), 1)).toThrow(InvalidArgumentError)
    expect(() => std('x' as unknown as Tensor)).toThrow(InvalidArgumentError)
  })
})

const entries = fc.oneof(
  fc.constantFrom(0, -0, 1, 2, Number.NaN, -Infinity),
  fc.integer({ min: -3, max: 3 }),
)

describe('argmax and argmin', () => {
  /** The first position of the largest entry, NaN counting as the largest (as NumPy). */
  const firstMax = (v: number[]) => {
    let best = 0
    for (let i = 1; i < v.length; i++) {
      if (Number.isNaN(v[best]!)) break
      if (Number.isNaN(v[i]!) || v[i]! > v[best]!) best = i
    }
    return best
  }

  it('give the first winner along an axis, or of the flattened values', () => {
    fc.assert(
      fc.property(withData(entries), fc.nat(), ({ shape, data }, pick) => {
        fc.pre(shape.length > 0)
        const x = tensor(data, shape)
        const axis = pick % shape.length
        const out = shape.filter((_, i) => i !== axis)
        expect([...argmax(x, axis).data]).toEqual(perGroup(data, shape, [axis], firstMax))
        expect([...argmin(x, axis).data]).toEqual(
          perGroup(data, shape, [axis], (v) => firstMax(v.map((e) => -e))),
        )
        expect(argmax(x, axis).shape).toEqual(out)
        expect(argmax(x).item()).toBe(firstMax(data))
      }),
    )
  })

  it('ties, NaN, keepdims, numbers', () => {
    expect(argmax(tensor([1, 5, 2, 5])).item()).toBe(1)
    expect(argmax(tensor([1, Number.NaN, 3, Number.NaN])).item()).toBe(1)
    expect(
      argmin(
        tensor([
          [3, 1],
          [1, 3],
        ]),
        0,
      ).toArray(),
    ).toEqual([1, 0])
    expect(
      argmax(
        tensor([
          [1, 9],
          [8, 2],
        ]),
        1,
        { keepdims: true },
      ).toArray(),
    ).toEqual([[1], [0]])
    expect(
      argmax(
        tensor([
          [1, 9],
          [8, 2],
        ]),
        null,
        { keepdims: true },
      ).toArray(),
    ).toEqual([[1]])
    expect(argmax(7)).toBe(0)
  })

  it('have a zero derivative, and run under vmap and jit', () => {
    const x = tensor([
      [0.5, 2, 0.8],
      [2, 0.3, -0.7],
    ])
    // only the explicit factor x is differentiated: argmax contributes nothing
    const g = grad((z: Tensor) => sum(mul(z, argmax(z, 1, { keepdims: true }))))(x)
    expect(g.toArray()).toEqual([
      [1, 1, 1],
      [0, 0, 0],
    ])
    expect(vmap((z: Tensor) => argmax(z))(x).toArray()).toEqual([1, 0])
    const f = jit((z: Tensor) => argmin(z, 1))
    expect(f(x).toArray()).toEqual([0, 2])
    expect(f(mul(x, -1)).toArray()).toEqual([1, 0])
    expect(
      hessian((z: Tensor) => sum(mul(mul(z, z), argmax(z))))(tensor([1, 3])).toArray(),
    ).toEqual([
      [2, 0],
      [0, 2],
    ])
  })

  it('throw for an empty axis and a bad axis', () => {
    expect(() => argmax(tensor([], [0]))).toThrow(ShapeError)
    expect(() => argmin(tensor([[1, 2]]), 2)).toThrow(InvalidArgumentError)
  })
})

describe('any, all, countNonzero', () => {
  it('count nonzero entries (NaN included) over every group', () => {
    fc.assert(
      fc.property(withData(entries), ({ shape, axes, keepdims, data }) => {
        const x = tensor(data, shape)
        const out = keptShape(shape, axes, keepdims)
        const count = perGroup(data, shape, axes, (v) => v.filter((e) => e !== 0).length)
        const sizes = perGroup(data, shape, axes, (v) => v.length)
        expectClose(countNonzero(x, axes, { keepdims }), tensor(count, out), 0, 0)
        expectClose(
          any(x, axes, { keepdims }),
          tensor(
            count.map((c) => +(c > 0)),
            out,
          ),
          0,
          0,
        )
        const every = count.map((c, i) => +(c === sizes[i]))
        expectClose(all(x, axes, { keepdims }), tensor(every, out), 0, 0)
      }),
    )
  })

  it('numbers, empty reductions, zero derivatives', () => {
    expect([any(0), all(Number.NaN), countNonzero(-0)]).toEqual([0, 1, 0])
    expect([any(tensor([], [0])).item(), all(tensor([], [0])).item()]).toEqual([0, 1])
    const g = grad((z: Tensor) => sum(mul(z, countNonzero(z))))(tensor([0, 2, 3]))
    expect(g.toArray()).toEqual([2, 2, 2])
  })
})
