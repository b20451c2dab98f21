/**
 * Float32 tensors in and out: the JSON of `Tensor.toJSON` (a `dtype` field, values as the
 * shortest decimals that read back to the same float32 — checked against a brute-force search
 * on random bit patterns, subnormals, ±0, NaN, ±Infinity and the largest float32), safetensors
 * "F32" entries (layout, bit-exact round trips of mixed trees, files made by hand with
 * misaligned offsets, malformed ones refused), and loading into an expected tree of the other
 * dtype (the expected leaf's dtype wins).
 */
import fc from 'fast-check'
import {
  astype,
  InvalidArgumentError,
  loadParams,
  loadParamsBinary,
  saveParams,
  saveParamsBinary,
  Tensor,
  tensor,
  tensorFromJSON,
  tensorReviver,
} from 'fluxion'
import { describe, expect, it } from 'vitest'
import { sameTree } from './tree-helpers.ts'

/** The float32 with bit pattern `bits`, as a number. */
const fromBits = (bits: number): number => new Float32Array(Uint32Array.of(bits).buffer)[0]!

/** Bit patterns at the edges: ±0, subnormals, the smallest normal, the largest, ±∞, NaN. */
const EDGE_BITS = [
  0x00000000, 0x80000000, 0x00000001, 0x80000001, 0x007fffff, 0x00800000, 0x7f7fffff, 0xff7fffff,
  0x7f800000, 0xff800000, 0x7fc00000, 0x3dcccccd, 0x3f800000, 0x3f7fffff, 0x4b800001,
]

/** Whether two float32 storages hold the same bits (any NaN matching any NaN). */
const sameBits = (a: Float32Array, b: Float32Array): boolean => {
  if (a.length !== b.length) return false
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length)
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length)
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]) ? !Number.isNaN(b[i]) : ua[i] !== ub[i]) return false
  }
  return true
}

/** Significant digits of a decimal numeral: sign, point, exponent and outer zeros dropped. */
const sigDigits = (text: string): number =>
  text.replace('-', '').split('e')[0]!.replace('.', '').replace(/^0+/, '').replace(/0+$/, '').length

/**
 * The fewest significant digits of a decimal that reads back to the float32 `x`, by brute force:
 * for each count p, the nearest p-digit decimal and its neighbours on either side.
 */
const fewestDigits = (x: number): number => {
  for (let p = 1; p <= 9; p++) {
    const [mantissa, exponent] = Math.abs(x)
      .toExponential(p - 1)
      .split('e') as [string, string]
    const digits = BigInt(mantissa.replace('.', ''))
    for (const d of [digits - 1n, digits, digits + 1n]) {
      if (d <= 0n) continue
      const y = Number(`${d}e${Number(exponent) - (p - 1)}`)
      if (Math.fround(y) === Math.abs(x)) return Math.min(p, sigDigits(String(d)))
    }
  }
  return Number.POSITIVE_INFINITY
}

describe('float32 tensors in JSON', () => {
  it('carry dtype "float32" after the shape; float64 keeps its format, with no dtype', () => {
    const t = tensor([0.1, -0, Number.NaN, -Infinity, 3], { dtype: 'float32' })
    expect(JSON.stringify(t)).toBe(
      '{"shape":[5],"dtype":"float32","data":[0.1,"-0","NaN","-Infinity",3]}',
    )
    expect(t.toJSON()).toEqual({
      shape: [5],
      dtype: 'float32',
      data: [0.1, '-0', 'NaN', '-Infinity', 3],
    })
    expect(Object.keys(tensor([0.1]).toJSON())).toEqual(['shape', 'data'])
    expect(JSON.stringify(tensor([0.1]))).toBe('{"shape":[1],"data":[0.1]}')
    // the float64 nearest the float32 0.1 needs 17 digits; the float32 needs one
    expect(JSON.stringify(astype(tensor([0.1], { dtype: 'float32' }), 'float64'))).toBe(
      '{"shape":[1],"data":[0.10000000149011612]}',
    )
  })

  it('read back as float32, bit for bit: random bit patterns and the edge values', () => {
    const bitsArb = fc.array(
      fc.oneof(fc.integer({ min: 0, max: 0xffffffff }), fc.constantFrom(...EDGE_BITS)),
      {
        maxLength: 40,
      },
    )
    fc.assert(
      fc.property(bitsArb, (bits) => {
        const t = new Tensor(new Float32Array(Uint32Array.from(bits).buffer), [bits.length])
        const back = tensorFromJSON(JSON.stringify(t))
        expect(back.dtype).toBe('float32')
        expect(back.shape).toEqual([bits.length])
        expect(sameBits(back.data as Float32Array, t.data as Float32Array)).toBe(true)
      }),
      { numRuns: 300 },
    )
  })

  it('write each value with the fewest significant digits that read back to it', () => {
    const check = (bits: number) => {
      const x = fromBits(bits)
      if (!Number.isFinite(x) || x === 0) return
      const [text] = JSON.stringify(new Tensor(Float32Array.of(x), [1]))
        .match(/"data":\[(.*)\]/)!
        .slice(1) as [string]
      expect(Math.fround(Number(text)), text).toBe(x)
      expect(sigDigits(text), `${x} written ${text}`).toBe(fewestDigits(x))
    }
    for (const bits of EDGE_BITS) check(bits)
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), check), { numRuns: 2000 })
    // values in the range where the writer takes its fast path, and subnormals, which it does not
    fc.assert(fc.property(fc.integer({ min: 0x2a000000, max: 0x5f000000 }), check), {
      numRuns: 2000,
    })
    fc.assert(fc.property(fc.integer({ min: 1, max: 0x007fffff }), check), { numRuns: 300 })
  })

  it('are smaller than the same values written as float64', () => {
    const values = Array.from({ length: 200 }, (_, i) => Math.sin(i) * 10 ** ((i % 7) - 3))
    const t32 = tensor(values, { dtype: 'float32' })
    const wide = JSON.stringify(astype(t32, 'float64')).length
    expect(JSON.stringify(t32).length).toBeLessThan(0.7 * wide)
  })

  it('read "float64" or no dtype as float64 (older JSON reads back the same), others refused', () => {
    const old = tensorFromJSON('{"shape":[2],"data":[0.1,"-0"]}')
    expect(old.dtype).toBe('float64')
    expect(old.data[0]).toBe(0.1)
    expect(tensorFromJSON('{"shape":[1],"dtype":"float64","data":[0.1]}').data[0]).toBe(0.1)
    const rounded = tensorFromJSON({ shape: [1], dtype: 'float32', data: [0.1] })
    expect(rounded.dtype).toBe('float32')
    expect(rounded.data[0]).toBe(Math.fround(0.1))
    for (const dtype of ['float16', 'F32', 'int32', 3, null, true]) {
      const json = { shape: [1], dtype, data: [1] }
      expect(() => tensorFromJSON(json), String(dtype)).toThrow(InvalidArgumentError)
      expect(() => tensorFromJSON(json), String(dtype)).toThrow(
        /the tensor\.dtype is .*, not "float32" or "float64"/,
      )
    }
  })

  it('the reviver and loadParams read dtypes, and refuse a bad one with a named error', () => {
    const tree = { w: tensor([[0.1, 2]], { dtype: 'float32' }), b: tensor([0.1]), n: 3 }
    const revived = JSON.parse(JSON.stringify(tree), tensorReviver) as typeof tree
    expect(sameTree(revived, tree)).toBe(true)
    expect(revived.w.dtype).toBe('float32')
    expect(sameTree(loadParams(saveParams(tree)), tree)).toBe(true)
    const bad = '{"w":{"shape":[1],"dtype":"int8","data":[1]}}'
    expect(() => JSON.parse(bad, tensorReviver)).toThrow(/w\.dtype is "int8"/)
    expect(() => loadParams(`{"fluxion":"params","version":1,"tree":${bad}}`)).toThrow(
      InvalidArgumentError,
    )
    expect(() => loadParams(`{"fluxion":"params","version":1,"tree":${bad}}`)).toThrow(
      /tree\.w\.dtype is "int8"/,
    )
  })

  it('saveParams keeps an object of yours with keys shape, dtype and data apart from a tensor', () => {
    const mine = { shape: [2], dtype: 1, data: [1, 2] }
    const text = saveParams({ mine })
    expect(text).toContain('"mine":{"$object":{')
    const back = loadParams(text) as { mine: typeof mine }
    expect(back.mine).toEqual(mine)
    expect(back.mine).not.toBeInstanceOf(Tensor)
  })
})

/** The header and data of a safetensors file, parsed as the specification says. */
const parse = (bytes: Uint8Array) => {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const n = Number(view.getBigUint64(0, true))
  return {
    header: JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<
      string,
      { dtype: string; shape: number[]; data_offsets: [number, number] }
    >,
    data: new DataView(bytes.buffer, bytes.byteOffset + 8 + n),
  }
}

type Piece = readonly ['F32' | 'F64', readonly number[]]

/**
 * A safetensors file made by hand: the tensors of `pieces` in order, without padding the header
 * (so the data may start at any byte), each values written little-endian as its dtype says.
 */
const handMade = (pieces: Record<string, Piece>, pad = 0, lead = 0): Uint8Array => {
  const header: Record<string, unknown> = {}
  let offset = 0
  for (const [name, [dtype, values]] of Object.entries(pieces)) {
    const end = offset + values.length * (dtype === 'F32' ? 4 : 8)
    header[name] = { dtype, shape: [values.length], data_offsets: [offset, end] }
    offset = end
  }
  const json = new TextEncoder().encode(JSON.stringify(header) + ' '.repeat(pad))
  const buffer = new Uint8Array(lead + 8 + json.length + offset)
  const bytes = buffer.subarray(lead)
  const view = new DataView(buffer.buffer, lead)
  view.setBigUint64(0, BigInt(json.length), true)
  bytes.set(json, 8)
  let at = 8 + json.length
  for (const [dtype, values] of Object.values(pieces)) {
    for (const v of values) {
      if (dtype === 'F32') view.setFloat32(at, v, true)
      else view.setFloat64(at, v, true)
      at += dtype === 'F32' ? 4 : 8
    }
  }
  return bytes
}

describe('float32 tensors in safetensors', () => {
  it('are written "F32", 4 bytes a value, after the float64 data, each aligned to its size', () => {
    const bytes = saveParamsBinary({
      a: tensor([1.5, -0, Number.NaN], { dtype: 'float32' }),
      b: tensor([0.1]),
      c: 2,
      d: tensor([[0.1], [-Infinity]], { dtype: 'float32' }),
    })
    const { header, data } = parse(bytes)
    expect(header.b).toEqual({ dtype: 'F64', shape: [1], data_offsets: [0, 8] })
    expect(header.c).toEqual({ dtype: 'F64', shape: [], data_offsets: [8, 16] })
    expect(header.a).toEqual({ dtype: 'F32', shape: [3], data_offsets: [16, 28] })
    expect(header.d).toEqual({ dtype: 'F32', shape: [2, 1], data_offsets: [28, 36] })
    expect(data.byteLength).toBe(36)
    expect(data.getFloat64(0, true)).toBe(0.1)
    expect(data.getFloat32(16, true)).toBe(1.5)
    expect(Object.is(data.getFloat32(20, true), -0)).toBe(true)
    expect(Number.isNaN(data.getFloat32(24, true))).toBe(true)
    expect(data.getFloat32(28, true)).toBe(Math.fround(0.1))
    expect(data.getFloat32(32, true)).toBe(-Infinity)
  })

  it('round-trip mixed float32/float64 trees bit for bit, dtypes included', () => {
    const bitsArb = fc.array(
      fc.oneof(fc.integer({ min: 0, max: 0xffffffff }), fc.constantFrom(...EDGE_BITS)),
      {
        maxLength: 9,
      },
    )
    fc.assert(
      fc.property(bitsArb, bitsArb, fc.double(), (x, y, z) => {
        const tree = {
          x: new Tensor(new Float32Array(Uint32Array.from(x).buffer), [x.length]),
          z,
          inner: [
            new Tensor(Float64Array.of(z, -z), [2]),
            new Tensor(new Float32Array(Uint32Array.from(y).buffer), [y.length]),
          ],
        }
        const back = loadParamsBinary(saveParamsBinary(tree)) as typeof tree
        expect(sameTree(back, tree)).toBe(true)
        expect(back.x.dtype).toBe('float32')
        expect(back.inner[0]!.dtype).toBe('float64')
        expect(sameBits(back.x.data as Float32Array, tree.x.data as Float32Array)).toBe(true)
        expect(
          sameBits(back.inner[1]!.data as Float32Array, tree.inner[1]!.data as Float32Array),
        ).toBe(true)
      }),
      { numRuns: 200 },
    )
  })

  it('read a file made by hand, at any alignment: F32 and F64 each as its own dtype', () => {
    const values32 = [0.1, -2.5, 3.4028234663852886e38]
    const values64 = [0.1, -0, 1e300]
    // F64 data after 12 bytes of F32 data, a header of odd length, a view at byte 3: nothing aligned
    for (const [pad, lead] of [
      [0, 0],
      [1, 3],
      [3, 5],
      [5, 1],
    ] as const) {
      const bytes = handMade(
        { a: ['F32', values32], b: ['F64', values64], c: ['F32', [7]] },
        pad,
        lead,
      )
      const loaded = loadParamsBinary(bytes) as Record<string, Tensor>
      expect(Object.keys(loaded)).toEqual(['a', 'b', 'c'])
      expect(loaded.a!.dtype).toBe('float32')
      expect(Array.from(loaded.a!.data)).toEqual(values32.map(Math.fround))
      expect(loaded.b!.dtype).toBe('float64')
      expect(Array.from(loaded.b!.data)).toEqual(values64)
      expect(Object.is(loaded.b!.data[1], -0)).toBe(true)
      expect(loaded.c!.data).toEqual(Float32Array.of(7))
    }
  })

  it('refuse F32 entries whose offsets are truncated, oversized or do not fit the shape', () => {
    const file = (entry: unknown, dataBytes: number): Uint8Array => {
      const json = new TextEncoder().encode(JSON.stringify({ x: entry }))
      const bytes = new Uint8Array(8 + json.length + dataBytes)
      new DataView(bytes.buffer).setBigUint64(0, BigInt(json.length), true)
      bytes.set(json, 8)
      return bytes
    }
    const cases: [Uint8Array, RegExp][] = [
      [file({ dtype: 'F32', shape: [3], data_offsets: [0, 8] }, 8), /shape \[3\] but 8 bytes/],
      [file({ dtype: 'F32', shape: [2], data_offsets: [0, 16] }, 16), /shape \[2\] but 16 bytes/],
      [file({ dtype: 'F32', shape: [4], data_offsets: [0, 16] }, 12), /outside the 12 data bytes/],
      [
        file({ dtype: 'F32', shape: [1], data_offsets: [0, 4] }, 6),
        /bytes 4–6 of the data belong to no tensor/,
      ],
      [file({ dtype: 'F32', shape: [1], data_offsets: [4, 0] }, 4), /outside/],
      [
        file({ dtype: 'F32', shape: [1], data_offsets: [0, 2 ** 60] }, 4),
        /not \[begin, end\]|outside/,
      ],
      [file({ dtype: 'F64', shape: [1], data_offsets: [0, 4] }, 4), /shape \[1\] but 4 bytes/],
    ]
    for (const [bytes, message] of cases) {
      expect(() => loadParamsBinary(bytes), String(message)).toThrow(InvalidArgumentError)
      expect(() => loadParamsBinary(bytes), String(message)).toThrow(message)
    }
    // a whole file cut short by a few bytes
    const whole = saveParamsBinary({ w: tensor([1, 2, 3], { dtype: 'float32' }) })
    for (const cut of [1, 2, 4, 11]) {
      expect(() => loadParamsBinary(whole.subarray(0, whole.length - cut))).toThrow(/outside/)
    }
  })
})

describe('loading into an expected tree of another dtype', () => {
  const saved64 = { w: tensor([0.1, 1e39, -0]), b: 0.5 }
  const saved32 = { w: tensor([0.1, 3, -0], { dtype: 'float32' }), b: 0.5 }
  const template32 = { w: tensor([0, 0, 0], { dtype: 'float32' }), b: 0 }
  const template64 = { w: tensor([0, 0, 0]), b: 0 }

  const loaders: [string, (tree: unknown, expected?: unknown) => unknown][] = [
    ['loadParams', (tree, expected) => loadParams(saveParams(tree), expected)],
    ['loadParamsBinary', (tree, expected) => loadParamsBinary(saveParamsBinary(tree), expected)],
  ]
  for (const [name, load] of loaders) {
    it(`${name}: float64 values into a float32 leaf are rounded to float32`, () => {
      const loaded = load(saved64, template32) as typeof template32
      expect(loaded.w.dtype).toBe('float32')
      expect(Array.from(loaded.w.data)).toEqual([Math.fround(0.1), Infinity, -0])
      expect(Object.is(loaded.w.data[2], -0)).toBe(true)
      expect(loaded.b).toBe(0.5)
    })

    it(`${name}: float32 values into a float64 leaf are widened exactly`, () => {
      const loaded = load(saved32, template64) as typeof template64
      expect(loaded.w.dtype).toBe('float64')
      expect(Array.from(loaded.w.data)).toEqual([Math.fround(0.1), 3, -0])
    })

    it(`${name}: without an expected tree, or with one of the same dtype, the file's dtype`, () => {
      expect((load(saved32) as typeof saved32).w.dtype).toBe('float32')
      expect((load(saved64) as typeof saved64).w.dtype).toBe('float64')
      expect(sameTree(load(saved32, template32), saved32)).toBe(true)
    })
  }

  it('a safetensors file from elsewhere, read by the paths of the expected tree, is cast too', () => {
    const bytes = handMade({ w: ['F64', [0.1, 2, 3]], b: ['F32', [0.5]] })
    const loaded = loadParamsBinary(bytes, { w: template32.w, b: tensor([0]) })
    expect(loaded.w.dtype).toBe('float32')
    expect(loaded.w.data[0]).toBe(Math.fround(0.1))
    expect(loaded.b.dtype).toBe('float64')
    expect(loaded.b.data[0]).toBe(0.5)
  })
})
