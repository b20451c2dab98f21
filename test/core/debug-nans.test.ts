/**
 * `debugNans`: with the switch on, the first non-finite value a primitive produces raises
 * `NonFiniteError` naming the primitive and the pass; off, the same programs run silently.
 */
import {
  debugNans,
  FluxionError,
  grad,
  greater,
  jvp,
  log,
  mul,
  NonFiniteError,
  sqrt,
  sum,
  type Tensor,
  tensor,
  where,
} from 'fluxion'
import { afterEach, describe, expect, it } from 'vitest'

const thrown = (f: () => unknown): unknown => {
  try {
    f()
  } catch (e) {
    return e
  }
  return undefined
}

describe('debugNans', () => {
  afterEach(() => {
    debugNans(false)
  })

  it('is off by default: non-finite values flow through silently', () => {
    expect(grad((x: number) => log(x))(0)).toBe(Number.POSITIVE_INFINITY)
  })

  it('names the primitive and the forward pass, on numbers and on tensors', () => {
    debugNans(true)
    const e = thrown(() => grad((x: number) => log(x))(0))
    expect(e).toBeInstanceOf(NonFiniteError)
    expect(e).toBeInstanceOf(FluxionError)
    expect((e as NonFiniteError).primitive).toBe('log')
    expect((e as Error).message).toContain('forward pass')
    const t = thrown(() => grad((x: Tensor) => sum(log(x)))(tensor([1, 0])))
    expect((t as NonFiniteError).primitive).toBe('log')
    expect((t as NonFiniteError).shapes).toEqual([[2]])
  })

  it('names the primitive of the backward pass', () => {
    debugNans(true)
    const e = thrown(() => grad((x: number) => sqrt(x))(0))
    expect(e).toBeInstanceOf(NonFiniteError)
    expect((e as Error).message).toContain('backward pass')
    const t = thrown(() => grad((x: Tensor) => sum(sqrt(x)))(tensor([1, 0])))
    expect((t as Error).message).toContain('backward pass')
  })

  it('checks forward mode too', () => {
    debugNans(true)
    expect(thrown(() => jvp((x: Tensor) => log(x), [tensor([0])], [tensor([1])]))).toBeInstanceOf(
      NonFiniteError,
    )
  })

  it('does not fire where the result is finite (zero-preserving products)', () => {
    debugNans(true)
    expect(grad((x: number) => where(greater(x, 0), sqrt(x), 0))(0)).toBe(0)
    expect(grad((x: number) => mul(x, x))(3)).toBe(6)
  })

  it('returns the previous setting', () => {
    expect(debugNans(true)).toBe(false)
    expect(debugNans(false)).toBe(true)
  })
})

describe('debugNans: its argument', () => {
  it('takes only booleans', () => {
    expect(() => debugNans('no' as unknown as boolean)).toThrow(/true or false/)
    expect(debugNans(false)).toBe(false)
  })
})
