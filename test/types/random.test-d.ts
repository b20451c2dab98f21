/**
 * Types of the seeded random helpers: `split` with a literal count is a tuple, so destructuring
 * gives keys, not `Key | undefined`, under `noUncheckedIndexedAccess`.
 */
import { random } from 'fluxion'
import { describe, expectTypeOf, it } from 'vitest'

describe('random.split', () => {
  it('is a pair by default and a tuple for a literal count', () => {
    const k = random.key(0)
    expectTypeOf(random.split(k)).toEqualTypeOf<[random.Key, random.Key]>()
    const [a, b, c] = random.split(k, 3)
    expectTypeOf(a).toEqualTypeOf<random.Key>()
    expectTypeOf(c).toEqualTypeOf<random.Key>()
    expectTypeOf(b).not.toEqualTypeOf<random.Key | undefined>()
  })

  it('is an array for a count known only at run time', () => {
    const n: number = 5
    expectTypeOf(random.split(random.key(0), n)).toEqualTypeOf<random.Key[]>()
  })
})
