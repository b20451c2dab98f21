/**
 * Saving and loading as JSON: `Tensor.toJSON` with `tensorFromJSON` and `tensorReviver`, and
 * `saveParams`/`loadParams` (src/core/params.ts) — bit-exact round trips of any float64 (±0,
 * ±∞, NaN) in numbers and tensors of any shape, exact structure (null, undefined, objects that
 * look like tensors, `$` keys, `__proto__`), validation against an expected tree
 * (TreeMismatchError naming path and both shapes), refusal of traced values, and malformed
 * text refused with InvalidArgumentError — fuzzed with fast-check.
 */
import fc from 'fast-check'
import {
  ConcretizationError,
  grad,
  InvalidArgumentError,
  loadParams,
  mul,
  saveParams,
  type Tensor,
  TreeMismatchError,
  tensor,
  tensorFromJSON,
  tensorReviver,
  treeLeaves,
} from 'fluxion'
import { describe, expect, it } from 'vitest'
import { sameTree, tensorArb, treeArb } from './tree-helpers.ts'

describe('Tensor.toJSON and tensorFromJSON', () => {
  it('write { shape, data } with the special values as strings', () => {
    const t = tensor([
      [1.5, -0],
      [Infinity, Number.NaN],
    ])
    expect(t.toJSON()).toEqual({ shape: [2, 2], data: [1.5, '-0', 'Infinity', 'NaN'] })
    expect(JSON.stringify(tensor(-Infinity))).toBe('{"shape":[],"data":["-Infinity"]}')
    expect(JSON.stringify(tensor([]))).toBe('{"shape":[0],"data":[]}')
  })

  it('round-trip every float64 bit for bit, in any shape', () => {
    fc.assert(fc.property(tensorArb, (t) => sameTree(tensorFromJSON(JSON.stringify(t)), t)))
  })

  it('the reviver turns tensors inside any JSON back into tensors', () => {
    const text = JSON.stringify({ a: [tensor([1, 2])], b: { c: tensor(-0) }, n: 3 })
    const back = JSON.parse(text, tensorReviver) as { a: Tensor[]; b: { c: Tensor }; n: number }
    expect(back.a[0]!.toArray()).toEqual([1, 2])
    expect(Object.is(back.b.c.item(), -0)).toBe(true)
    expect(back.n).toBe(3)
  })

  it('refuse malformed tensors with InvalidArgumentError', () => {
    const bad: unknown[] = [
      '{"shape":[2],"data":[1]',
      '{"shape":[2],"data":[1]}',
      '{"shape":[-1],"data":[]}',
      '{"shape":[1.5],"data":[1]}',
      '{"shape":"2","data":[1,2]}',
      '{"shape":[1],"data":["nan"]}',
      '{"shape":[1],"data":[null]}',
      '{"shape":[1e300,1e300],"data":[]}',
      '[1, 2]',
      42,
      null,
    ]
    for (const b of bad) expect(() => tensorFromJSON(b), String(b)).toThrow(InvalidArgumentError)
  })
})

describe('saveParams and loadParams', () => {
  it('round-trip trees exactly: structure, kinds, shapes and bits', () => {
    fc.assert(fc.property(treeArb, (t) => sameTree(loadParams(saveParams(t)), t)))
  })

  it('keep apart what JSON would confuse', () => {
    const tricky = JSON.parse(
      '{"lookalike":{"shape":[2],"data":[1,2]},"dollar":{"$object":1},"none":null,"__proto__":5}',
    ) as Record<string, unknown>
    tricky.gone = undefined
    tricky.negZero = -0
    const back = loadParams(saveParams(tricky)) as Record<string, unknown>
    expect(sameTree(back, tricky)).toBe(true)
    expect(Array.isArray((back.lookalike as { shape: unknown }).shape)).toBe(true)
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype)
  })

  it('check the loaded tree against an expected one and return it in that key order', () => {
    const params = { w: tensor([1, 2]), b: 0.5, layers: [{ k: tensor([[1]]) }] }
    const text = saveParams({ layers: [{ k: tensor([[3]]) }], b: 2, w: tensor([4, 5]) })
    const loaded = loadParams(text, params)
    expect(Object.keys(loaded)).toEqual(['w', 'b', 'layers'])
    expect(loaded.w.toArray()).toEqual([4, 5])
    expect(() => loadParams(saveParams({ ...params, w: tensor([1, 2, 3]) }), params)).toThrow(
      /at loaded\.w: shape \[3\] instead of \[2\]/,
    )
    expect(() => loadParams(saveParams({ ...params, extra: 1 }), params)).toThrow(TreeMismatchError)
    expect(() => loadParams(saveParams({ ...params, b: tensor(0.5) }), params)).toThrow(
      /at loaded\.b: a tensor of shape \[\] instead of a number/,
    )
    expect(() => loadParams(saveParams({ ...params, layers: [] }), params)).toThrow(
      /at loaded\.layers: expected an array of 1/,
    )
  })

  it('refuse to save traced values (ConcretizationError) and non-leaves', () => {
    const saving = (x: number) => {
      saveParams({ x })
      return mul(x, x)
    }
    expect(() => grad(saving)(1)).toThrow(ConcretizationError)
    expect(() => saveParams({ f: () => 1 })).toThrow(InvalidArgumentError)
  })

  it('trees nested 10⁵ levels deep save and load without recursion', () => {
    let deep: unknown = tensor([1])
    for (let i = 0; i < 100_000; i++) deep = i % 2 === 0 ? [deep] : { d: deep }
    const back = loadParams(saveParams(deep))
    expect(treeLeaves(back)).toHaveLength(1)
    let node: unknown = back
    for (let i = 100_000 - 1; i >= 0; i--) {
      node = i % 2 === 0 ? (node as unknown[])[0] : (node as { d: unknown }).d
    }
    expect(sameTree(node, tensor([1]))).toBe(true)
  })

  it('refuse malformed text with InvalidArgumentError naming the problem', () => {
    const cases: [string, RegExp][] = [
      ['not json', /not JSON/],
      ['{"tree": 1}', /not a fluxion params file/],
      ['{"fluxion":"params","version":2,"tree":1}', /version 2/],
      ['{"fluxion":"params","version":1,"tree":true}', /tree is boolean/],
      ['{"fluxion":"params","version":1,"tree":{"a":"x"}}', /tree\.a is "x"/],
      ['{"fluxion":"params","version":1,"tree":{"a":{"$object":1}}}', /not an object/],
      ['{"fluxion":"params","version":1,"tree":{"a":{"$y":1}}}', /unknown key \$y/],
      ['{"fluxion":"params","version":1,"tree":[{"shape":[3],"data":[1]}]}', /tree\[0\] has shape/],
    ]
    for (const [text, message] of cases) {
      expect(() => loadParams(text), text).toThrow(InvalidArgumentError)
      expect(() => loadParams(text), text).toThrow(message)
    }
    expect(() => loadParams(3 as unknown as string)).toThrow(InvalidArgumentError)
  })

  it('fuzz: mutated files load or raise a named error, never anything else', () => {
    const base = saveParams({ w: tensor([1, 2]), b: [3, null], c: { shape: 1, data: 2 } })
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(base.length - 1), fc.string({ maxLength: 3 })), {
          minLength: 1,
          maxLength: 4,
        }),
        (edits) => {
          let text = base
          for (const [at, s] of edits) text = text.slice(0, at) + s + text.slice(at + 1)
          try {
            loadParams(text)
          } catch (e) {
            expect(e).toBeInstanceOf(InvalidArgumentError)
          }
        },
      ),
    )
    fc.assert(
      fc.property(fc.string(), (text) => {
        expect(() => loadParams(text)).toThrow(InvalidArgumentError)
      }),
    )
  })
})
