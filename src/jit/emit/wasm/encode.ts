/**
 * A minimal WebAssembly binary encoder: exactly what a fused loop's module needs — one imported
 * memory, one exported function of i32 and f64 parameters and no result, its locals and its
 * code. Written here rather than taken from a package: the format needed is a few dozen bytes of
 * framing around the function body (the binary format: https://webassembly.github.io/spec/core/binary/).
 * @module
 */

/** Value types (the binary format's codes). */
export const I32 = 0x7f
export const F64 = 0x7c
export const V128 = 0x7b
export type ValueType = typeof I32 | typeof F64 | typeof V128

/** A growable byte buffer with the format's integer and float encodings. */
export class Bytes {
  private data = new Uint8Array(256)
  length = 0
  byte(b: number): this {
    if (this.length === this.data.length) {
      const d = new Uint8Array(this.data.length * 2)
      d.set(this.data)
      this.data = d
    }
    this.data[this.length++] = b
    return this
  }
  bytes(bs: ArrayLike<number>): this {
    for (let k = 0; k < bs.length; k++) this.byte(bs[k]!)
    return this
  }
  /** Appends a copy of its own bytes `from` to `to`. */
  again(from: number, to: number): this {
    for (let k = from; k < to; k++) this.byte(this.data[k]!)
    return this
  }
  /** An unsigned LEB128 integer (sizes, indices, opcodes after a prefix). */
  u32(v: number): this {
    let x = v >>> 0
    do {
      const low = x & 0x7f
      x >>>= 7
      this.byte(x === 0 ? low : low | 0x80)
    } while (x !== 0)
    return this
  }
  /** A signed LEB128 integer (the immediate of i32.const). */
  s32(v: number): this {
    let x = v | 0
    for (;;) {
      const low = x & 0x7f
      x >>= 7
      // done when the rest is the sign extension of the low group's top bit
      if ((x === 0 && (low & 0x40) === 0) || (x === -1 && (low & 0x40) !== 0)) {
        this.byte(low)
        return this
      }
      this.byte(low | 0x80)
    }
  }
  /** An IEEE double, little-endian, bit for bit (−0 and NaN as they are). */
  f64(v: number): this {
    scratch.setFloat64(0, v, true)
    for (let k = 0; k < 8; k++) this.byte(scratch.getUint8(k))
    return this
  }
  /** A UTF-8 name (ASCII here) with its length. */
  name(s: string): this {
    this.u32(s.length)
    for (let k = 0; k < s.length; k++) this.byte(s.charCodeAt(k))
    return this
  }
  /** `inner`'s bytes with their length first (a section's or a function body's framing). */
  sized(inner: Bytes): this {
    this.u32(inner.length)
    return this.bytes(inner.view())
  }
  view(): Uint8Array {
    return this.data.subarray(0, this.length)
  }
}

const scratch = new DataView(new ArrayBuffer(8))

/**
 * The locals of a function beyond its parameters, numbered as they are asked for; declared at
 * the end as runs of one type (the format groups them: `count type` pairs in index order).
 */
export class Locals {
  private readonly types: ValueType[] = []
  private readonly params: number
  constructor(params: number) {
    this.params = params
  }
  add(type: ValueType): number {
    return this.params + this.types.push(type) - 1
  }
  /** The declarations: runs of equal types, in index order. */
  declare(out: Bytes): void {
    const runs: [number, ValueType][] = []
    for (const t of this.types) {
      const last = runs[runs.length - 1]
      if (last !== undefined && last[1] === t) last[0]++
      else runs.push([1, t])
    }
    out.u32(runs.length)
    for (const [count, t] of runs) out.u32(count).byte(t)
  }
}

/**
 * A module importing `m.memory` (any size: the host owns and grows it) and the functions
 * `m.<name>` of `imports` (each f64 → f64; function indices 0, 1, … in that order), and
 * exporting function `run` with parameters `params`, no result, the given locals and code
 * (without the final `end`, added here).
 */
export const moduleBytes = (
  params: readonly ValueType[],
  locals: Locals,
  code: Bytes,
  imports: readonly string[] = [],
): Uint8Array => {
  const out = new Bytes()
  out.bytes([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]) // "\0asm", version 1
  const section = (id: number, body: Bytes) => out.byte(id).sized(body)
  // type 0: (params) → (); type 1: (f64) → f64, the imported functions'
  const types = new Bytes().u32(imports.length > 0 ? 2 : 1)
  types.byte(0x60).u32(params.length).bytes(params).u32(0)
  if (imports.length > 0) types.byte(0x60).u32(1).byte(F64).u32(1).byte(F64)
  section(1, types)
  // import the memory: limits with only a minimum of 0 pages, so any memory fits
  const imported = new Bytes().u32(1 + imports.length)
  imported.name('m').name('memory').byte(0x02).byte(0x00).u32(0)
  for (const name of imports) imported.name('m').name(name).byte(0x00).u32(1)
  section(2, imported)
  // one function, of type 0
  section(3, new Bytes().u32(1).u32(0))
  // export it as `run` (its index follows the imported functions')
  section(7, new Bytes().u32(1).name('run').byte(0x00).u32(imports.length))
  const body = new Bytes()
  locals.declare(body)
  body.bytes(code.view()).byte(0x0b)
  section(10, new Bytes().u32(1).sized(body))
  return out.view().slice()
}
