/**
 * Instructions of a function body, by name: the scalar i32/f64 instructions and the 128-bit
 * SIMD ones (prefix 0xfd) a fused loop uses, each with its immediates. Only what ./loop-module.ts
 * emits is here; the opcodes are the binary format's.
 * @module
 */
import { Bytes } from './encode.ts'

/** Scalar opcodes. */
export const Op = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Load: 0x28,
  f32Load: 0x2a,
  f64Load: 0x2b,
  f32Store: 0x38,
  f64Store: 0x39,
  call: 0x10,
  i32Const: 0x41,
  f64Const: 0x44,
  i32LtS: 0x48,
  i32GtS: 0x4a,
  i32GeS: 0x4e,
  f64Eq: 0x61,
  f64Lt: 0x63,
  f64Gt: 0x64,
  f64Le: 0x65,
  f64Ge: 0x66,
  i32Add: 0x6a,
  i32Mul: 0x6c,
  i32And: 0x71,
  i32Or: 0x72,
  i32Xor: 0x73,
  i32Shl: 0x74,
  f64Neg: 0x9a,
  f64Sqrt: 0x9f,
  f64Add: 0xa0,
  f64Sub: 0xa1,
  f64Mul: 0xa2,
  f64Div: 0xa3,
  f32DemoteF64: 0xb6,
  f64ConvertI32S: 0xb7,
  f64PromoteF32: 0xbb,
} as const

/** SIMD opcodes (after the 0xfd prefix, as unsigned LEB128). */
export const Simd = {
  load: 0x00,
  store: 0x0b,
  const: 0x0c,
  f64x2Splat: 0x14,
  f64x2ExtractLane: 0x21,
  f64x2ReplaceLane: 0x22,
  f64x2Eq: 0x47,
  f64x2Lt: 0x49,
  f64x2Gt: 0x4a,
  f64x2Le: 0x4b,
  f64x2Ge: 0x4c,
  and: 0x4e,
  or: 0x50,
  bitselect: 0x52,
  store64Lane: 0x5b,
  load64Zero: 0x5d,
  f32x4DemoteF64x2Zero: 0x5e,
  f64x2PromoteLowF32x4: 0x5f,
  f64x2Neg: 0xed,
  f64x2Sqrt: 0xef,
  f64x2Add: 0xf0,
  f64x2Sub: 0xf1,
  f64x2Mul: 0xf2,
  f64x2Div: 0xf3,
} as const

/** A result type of `block`, `loop` and `if`: none, or one f64. */
export const EMPTY = 0x40
export const RESULT_F64 = 0x7c

/** A function body under construction. */
export class Asm extends Bytes {
  op(code: number): this {
    return this.byte(code)
  }
  simd(code: number): this {
    return this.byte(0xfd).u32(code)
  }
  get(local: number): this {
    return this.byte(Op.localGet).u32(local)
  }
  set(local: number): this {
    return this.byte(Op.localSet).u32(local)
  }
  tee(local: number): this {
    return this.byte(Op.localTee).u32(local)
  }
  i32(v: number): this {
    return this.byte(Op.i32Const).s32(v)
  }
  f64c(v: number): this {
    return this.byte(Op.f64Const).f64(v)
  }
  /** An f64x2 constant of `v` in both lanes. */
  f64x2c(v: number): this {
    return this.simd(Simd.const).f64(v).f64(v)
  }
  /** A scalar load or store with its memory argument (alignment log2, offset 0). */
  mem(code: number, alignLog2: number): this {
    return this.byte(code).u32(alignLog2).u32(0)
  }
  /** A SIMD load or store; alignment as the element's (loads of v128 may be unaligned). */
  simdMem(code: number, alignLog2: number): this {
    return this.simd(code).u32(alignLog2).u32(0)
  }
  /** `block`/`loop`/`if` with the given result type. */
  open(code: number, type: number = EMPTY): this {
    return this.byte(code).byte(type)
  }
  end(): this {
    return this.byte(Op.end)
  }
  brIf(depth: number): this {
    return this.byte(Op.brIf).u32(depth)
  }
  br(depth: number): this {
    return this.byte(Op.br).u32(depth)
  }
}
