/**
 * Saving and loading as safetensors bytes (src/core/safetensors.ts): the layout read back by a
 * plain-JS parser written from the format's specification (8-byte little-endian header length,
 * JSON header with dtype F64, shape and data_offsets, then little-endian float64 data without
 * holes); bit-exact round trips of random trees; files made by hand as another library would
 * write them (no fluxion metadata) read by name or by the paths of an expected tree;
 * validation against an expected tree; and malformed bytes — truncated, lying header lengths,
 * bad JSON, wrong dtype, offsets out of range, overlapping or leaving holes, shapes that do
 * not fit — refused with InvalidArgumentError, fuzzed with random and mutated files.
 */
import fc from 'fast-check'
import {
  ConcretizationError,
  grad,
  InvalidArgumentError,
  loadParamsBinary,
  mul,
  saveParamsBinary,
  type Tensor,
  TreeMismatchError,
  tensor,
  treeLeaves,
  vmap,
} from 'fluxion'
import { describe, expect, it } from 'vitest'
import { sameTree, treeArb } from './tree-helpers.ts'

interface Parsed {
  readonly headerLength: number
  readonly header: Record<string, unknown>
  readonly data: DataView
}

/** A safetensors file parsed in plain JS, following the specification. */
const parse = (bytes: Uint8Array): Parsed => {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const headerLength = Number(view.getBigUint64(0, true))
  const text = new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))
  return {
    headerLength,
    header: JSON.parse(text) as Record<string, unknown>,
    data: new DataView(bytes.buffer, bytes.byteOffset + 8 + headerLength),
  }
}

/** A safetensors file made by hand: `header` as JSON, then `values` as little-endian float64. */
const file = (header: unknown, values: readonly number[], pad = 0): Uint8Array => {
  const json = new TextEncoder().encode(JSON.stringify(header) + ' '.repeat(pad))
  const bytes = new Uint8Array(8 + json.length + 8 * values.length)
  const view = new DataView(bytes.buffer)
  view.setBigUint64(0, BigInt(json.length), true)
  bytes.set(json, 8)
  values.forEach((v, i) => {
    view.setFloat64(8 + json.length + 8 * i, v, true)
  })
  return bytes
}

const f64 = (shape: number[], begin: number, end: number) => ({
  dtype: 'F64',
  shape,
  data_offsets: [begin, end],
})

describe('saveParamsBinary writes safetensors', () => {
  it('header, dtype, shapes, offsets and little-endian data as the specification says', () => {
    const bytes = saveParamsBinary({
      w: tensor([
        [1, 2],
        [3, -0],
      ]),
      b: -Infinity,
      layers: [{ k: tensor([Number.NaN]) }],
    })
    const { headerLength, header, data } = parse(bytes)
    expect(headerLength % 8).toBe(0)
    expect(header.w).toEqual(f64([2, 2], 0, 32))
    expect(header.b).toEqual(f64([], 32, 40))
    expect(header['layers.0.k']).toEqual(f64([1], 40, 48))
    expect(Object.keys(header).sort()).toEqual(['__metadata__', 'b', 'layers.0.k', 'w'])
    const values = Array.from({ length: 6 }, (_, i) => data.getFloat64(8 * i, true))
    expect(values.slice(0, 5)).toEqual([1, 2, 3, -0, -Infinity])
    expect(Object.is(values[3], -0)).toBe(true)
    expect(Number.isNaN(values[5])).toBe(true)
    expect(bytes.length).toBe(8 + headerLength + 48)
    const meta = header.__metadata__ as Record<string, string>
    expect(JSON.parse(meta['fluxion.tree']!)).toEqual({
      w: 'tensor',
      b: 'number',
      layers: [{ k: 'tensor' }],
    })
  })

  it('names are unique paths: dots and % in keys escaped, __metadata__ kept free', () => {
    const { header } = parse(saveParamsBinary({ 'a.b': 1, a: { b: 2 }, '%': 3, __metadata__: 4 }))
    expect(Object.keys(header).sort()).toEqual([
      '%25',
      '%5F_metadata__',
      '__metadata__',
      'a%2Eb',
      'a.b',
    ])
  })

  it('round-trips any tree bit for bit', () => {
    fc.assert(fc.property(treeArb, (t) => sameTree(loadParamsBinary(saveParamsBinary(t)), t)))
  })

  it('round-trips trees nested 10⁵ levels deep', () => {
    let deep: unknown = 7
    for (let i = 0; i < 100_000; i++) deep = [deep]
    let node = loadParamsBinary(saveParamsBinary(deep)) as unknown
    for (let i = 0; i < 100_000; i++) node = (node as unknown[])[0]
    expect(node).toBe(7)
  })

  it('refuses traced values with ConcretizationError', () => {
    const saving = (x: number) => {
      saveParamsBinary([x])
      return mul(x, x)
    }
    expect(() => grad(saving)(1)).toThrow(ConcretizationError)
    expect(() => vmap((x: Tensor) => saveParamsBinary(x))(tensor([[1]]))).toThrow(
      ConcretizationError,
    )
  })
})

describe('loadParamsBinary', () => {
  it('reads a file from elsewhere: tensors by name, or by the paths of an expected tree', () => {
    // as Python's safetensors writes one: no fluxion metadata, a padded header
    const bytes = file(
      {
        __metadata__: { format: 'np' },
        'layers.0.w': f64([2], 8, 24),
        bias: f64([], 0, 8),
      },
      [0.5, 1, 2],
      3,
    )
    const byName = loadParamsBinary(bytes) as Record<string, Tensor>
    expect(Object.keys(byName)).toEqual(['bias', 'layers.0.w'])
    expect(byName['layers.0.w']!.toArray()).toEqual([1, 2])
    const expected = { layers: [{ w: tensor([0, 0]) }], bias: 0 }
    const loaded = loadParamsBinary(bytes, expected)
    expect(loaded.layers[0]!.w.toArray()).toEqual([1, 2])
    expect(loaded.bias).toBe(0.5)
    expect(() => loadParamsBinary(bytes, { bias: 0 })).toThrow(/layers\.0\.w.* is not in the tree/)
    expect(() => loadParamsBinary(bytes, { ...expected, more: 1 })).toThrow(
      /no tensor named "more"/,
    )
  })

  it('checks against an expected tree: TreeMismatchError naming the path and both shapes', () => {
    const params = { w: tensor([1, 2]), b: 3 }
    expect(loadParamsBinary(saveParamsBinary(params), params)).toEqual(params)
    expect(() => loadParamsBinary(saveParamsBinary({ w: tensor([1]), b: 3 }), params)).toThrow(
      /at loaded\.w: shape \[1\] instead of \[2\]/,
    )
    expect(() => loadParamsBinary(saveParamsBinary({ w: tensor([1, 2]) }), params)).toThrow(
      TreeMismatchError,
    )
  })

  it('accepts an ArrayBuffer and a view at an offset of a larger buffer', () => {
    const bytes = saveParamsBinary({ x: tensor([1, 2, 3]) })
    const big = new Uint8Array(bytes.length + 3)
    big.set(bytes, 3)
    const view = big.subarray(3)
    expect((loadParamsBinary(view) as { x: Tensor }).x.toArray()).toEqual([1, 2, 3])
    const own = bytes.slice().buffer
    expect((loadParamsBinary(own as unknown as Uint8Array) as { x: Tensor }).x.toArray()).toEqual([
      1, 2, 3,
    ])
  })

  it('refuses malformed files with InvalidArgumentError naming the problem', () => {
    const ok = f64([2], 0, 16)
    const withLength = (n: bigint, rest: Uint8Array) => {
      const out = new Uint8Array(8 + rest.length)
      new DataView(out.buffer).setBigUint64(0, n, true)
      out.set(rest, 8)
      return out
    }
    const cases: [Uint8Array, RegExp][] = [
      [new Uint8Array(5), /too short/],
      [withLength(2n ** 63n, new Uint8Array(4)), /beyond the buffer/],
      [withLength(100n, new TextEncoder().encode('{}')), /beyond the buffer/],
      [withLength(2n, Uint8Array.of(0xff, 0xfe)), /not JSON text/],
      [withLength(3n, new TextEncoder().encode('{x}')), /not JSON text/],
      [file([1, 2], []), /not a JSON object/],
      [file({ x: { ...ok, dtype: 'F16' } }, [1, 2]), /dtype "F16", which fluxion does not read/],
      [file({ x: { ...ok, dtype: 'BF16' } }, [1, 2]), /dtype "BF16"/],
      [file({ x: { ...ok, dtype: 'I64' } }, [1, 2]), /dtype "I64"/],
      [file({ x: { ...ok, dtype: 7 } }, [1, 2]), /dtype 7/],
      [file({ x: { ...ok, shape: [-2] } }, [1, 2]), /not a list of sizes/],
      [file({ x: { ...ok, shape: 'big' } }, [1, 2]), /not a list of sizes/],
      [file({ x: { ...ok, data_offsets: [0] } }, [1, 2]), /not \[begin, end\]/],
      [file({ x: f64([2], 0, 24) }, [1, 2]), /outside the 16 data bytes/],
      [file({ x: f64([2], 8, 0) }, [1, 2]), /outside/],
      [file({ x: f64([3], 0, 16) }, [1, 2]), /shape \[3\] but 16 bytes/],
      [file({ x: f64([1e15, 1e15], 0, 16) }, [1, 2]), /shape \[1000000000000000, .*\] but 16/],
      [file({ x: ok, y: f64([1], 8, 16) }, [1, 2]), /overlaps/],
      [file({ x: f64([1], 0, 8) }, [1, 2]), /belong to no tensor/],
      [file({ x: f64([1], 8, 16) }, [1, 2]), /belong to no tensor/],
      [file({ x: 3 }, []), /not described by an object/],
      [file({ __metadata__: { a: 1 } }, []), /__metadata__ is not an object of strings/],
      [file({ __metadata__: { 'fluxion.tree': '{' } }, []), /metadata is not JSON/],
      [file({ __metadata__: { 'fluxion.tree': '["tensor"]' } }, []), /no tensor named "0"/],
      [file({ __metadata__: { 'fluxion.tree': '{"x":"number"}' }, x: ok }, [1, 2]), /rank-0/],
      [file({ __metadata__: { 'fluxion.tree': '{"x":true}' }, x: ok }, [1, 2]), /holds boolean/],
      [file({ __metadata__: { 'fluxion.tree': '[]' }, x: ok }, [1, 2]), /"x" is not in the tree/],
    ]
    for (const [bytes, message] of cases) {
      expect(() => loadParamsBinary(bytes), String(message)).toThrow(InvalidArgumentError)
      expect(() => loadParamsBinary(bytes), String(message)).toThrow(message)
    }
    expect(() => loadParamsBinary([1, 2] as unknown as Uint8Array)).toThrow(InvalidArgumentError)
  })

  it('fuzz: random bytes are refused with InvalidArgumentError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(() => loadParamsBinary(bytes)).toThrow(InvalidArgumentError)
      }),
    )
  })

  it('fuzz: mutated, truncated and extended files load or raise InvalidArgumentError', () => {
    const base = saveParamsBinary({ w: tensor([1, 2]), b: [3, null], c: { d: tensor([[4]]) } })
    const edit = fc.oneof(
      fc.tuple(
        fc.constant('set' as const),
        fc.nat(base.length - 1),
        fc.integer({ min: 0, max: 255 }),
      ),
      fc.tuple(fc.constant('cut' as const), fc.nat(base.length - 1), fc.constant(0)),
      fc.tuple(fc.constant('grow' as const), fc.nat(16), fc.integer({ min: 0, max: 255 })),
    )
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 6 }), (edits) => {
        let bytes = base.slice()
        for (const [kind, at, v] of edits) {
          if (kind === 'set') bytes[at % bytes.length] = v
          else if (kind === 'cut') bytes = bytes.slice(0, at)
          else bytes = Uint8Array.from([...bytes, ...new Array<number>(at).fill(v)])
          if (bytes.length === 0) break
        }
        try {
          const tree = loadParamsBinary(bytes)
          for (const leaf of treeLeaves(tree)) expect(leaf).not.toBeUndefined()
        } catch (e) {
          expect(e).toBeInstanceOf(InvalidArgumentError)
        }
      }),
    )
  })
})
