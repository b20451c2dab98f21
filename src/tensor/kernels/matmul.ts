/**
 * Batched matrix product with optional transposes, C = op(A)·op(B). The last two axes are the
 * matrices; leading axes broadcast NumPy-style. Each product (or batch sharing an operand) is
 * one `GemmProblem` for a backend (gemm.ts: packed panels of 4 rows or columns — transposes are
 * just other strides — and a 4×4 register-blocked micro-kernel, in JavaScript or WebAssembly
 * SIMD; gemm-select.ts picks). `matmulK` multiplies float64 arrays and `matmulKF32` float32
 * ones, with the same shapes, flags and errors; only the kernels differ.
 * @module
 */
import { ShapeError } from '../../core/errors.ts'
import { broadcastStridesOf, checkResultSize, Odometer, type Shape, sizeOf } from '../shape.ts'
import type { FloatArray, MatmulBackend, Operand } from './gemm.ts'
import { gemmBackend, gemmBackendF32 } from './gemm-select.ts'

const fail = (message: string, aShape: Shape, bShape: Shape, hint: string): never => {
  throw new ShapeError(message, { primitive: 'matmul', shapes: [aShape, bShape], hint })
}

/**
 * The output shape of `matmulK`: `[...batch, m, n]`, where op(A) is m × k, op(B) is k × n and
 * `batch` broadcasts the leading axes. Throws `ShapeError` when a rank is below 2, the inner
 * sizes differ or the batch axes do not broadcast, and `InvalidArgumentError` when the result
 * would be too large to allocate.
 */
export function matmulShape(
  aShape: Shape,
  bShape: Shape,
  transA: boolean,
  transB: boolean,
): number[] {
  const ra = aShape.length
  const rb = bShape.length
  if (ra < 2 || rb < 2) {
    fail('matmul needs operands of rank ≥ 2', aShape, bShape, 'reshape vectors to [1, n] or [n, 1]')
  }
  const m = aShape[transA ? ra - 1 : ra - 2]!
  const k = aShape[transA ? ra - 2 : ra - 1]!
  const kb = bShape[transB ? rb - 1 : rb - 2]!
  const n = bShape[transB ? rb - 2 : rb - 1]!
  if (k !== kb) {
    fail(
      `matmul inner dimensions differ: ${k} vs ${kb}`,
      aShape,
      bShape,
      'the columns of op(A) must equal the rows of op(B); transpose an operand?',
    )
  }
  const rank = Math.max(ra, rb)
  const out = new Array<number>(rank)
  for (let i = 0; i < rank - 2; i++) {
    const da = i - (rank - ra) >= 0 ? aShape[i - (rank - ra)]! : 1
    const db = i - (rank - rb) >= 0 ? bShape[i - (rank - rb)]! : 1
    if (da !== db && da !== 1 && db !== 1) {
      fail(
        'matmul batch axes do not broadcast',
        aShape,
        bShape,
        'leading axes must match from the right or be 1',
      )
    }
    out[i] = da === 1 ? db : da
  }
  out[rank - 2] = m
  out[rank - 1] = n
  checkResultSize(out, 'matmul', [aShape, bShape])
  return out
}

/** Offsets `start + t·step` for t < count, repeated for each base in `bases`. */
function offsets(bases: readonly number[], count: number, step: number): Int32Array {
  const out = new Int32Array(bases.length * count)
  let w = 0
  for (const base of bases) for (let t = 0; t < count; t++) out[w++] = base + t * step
  return out
}

/**
 * Batched C = op(A)·op(B), where op transposes the last two axes when the flag is set: with
 * `transA`, `a` is stored `[..., k, m]` and used as `[..., m, k]`; likewise `transB`. Leading
 * axes broadcast. When one operand is shared by the whole batch, the other's matrices are
 * stacked into one wide product (a batch of matrix–vector products becomes one matrix product).
 * Throws `ShapeError` as `matmulShape` does.
 */
export function matmulK(
  a: Float64Array,
  aShape: Shape,
  b: Float64Array,
  bShape: Shape,
  transA: boolean,
  transB: boolean,
): { data: Float64Array; shape: number[] } {
  const shape = matmulShape(aShape, bShape, transA, transB)
  const data = new Float64Array(sizeOf(shape))
  solveAll(a, aShape, b, bShape, transA, transB, shape, data, gemmBackend)
  return { data, shape }
}

/**
 * `matmulK` on float32 arrays: the same shapes, flags, broadcasting and errors, a Float32Array
 * result computed in float32 arithmetic. Each entry is summed in the order p = 0 … k−1 from +0,
 * each step rounded to float32 (gemm-f32.ts), by the f32x4 WebAssembly kernel or the
 * JavaScript one — the same bits either way.
 */
export function matmulKF32(
  a: Float32Array,
  aShape: Shape,
  b: Float32Array,
  bShape: Shape,
  transA: boolean,
  transB: boolean,
): { data: Float32Array; shape: number[] } {
  const shape = matmulShape(aShape, bShape, transA, transB)
  const data = new Float32Array(sizeOf(shape))
  solveAll(a, aShape, b, bShape, transA, transB, shape, data, gemmBackendF32)
  return { data, shape }
}

/** Fills `data` (zeros, of the product's `shape`) with op(A)·op(B), as `matmulK` describes. */
function solveAll<T extends FloatArray>(
  a: T,
  aShape: Shape,
  b: T,
  bShape: Shape,
  transA: boolean,
  transB: boolean,
  shape: readonly number[],
  data: T,
  backend: (muladds: number) => MatmulBackend<T>,
): void {
  const rank = shape.length
  const m = shape[rank - 2]!
  const n = shape[rank - 1]!
  const k = aShape[transA ? aShape.length - 2 : aShape.length - 1]!
  if (data.length === 0 || k === 0) return
  const batch = shape.slice(0, -2)
  const count = sizeOf(batch)
  const opA: Operand<T> = { data: a, rowStride: transA ? 1 : k, colStride: transA ? m : 1 }
  const opB: Operand<T> = { data: b, rowStride: transB ? 1 : n, colStride: transB ? k : 1 }
  if (count === 1) {
    // one product (every batch axis 1): both matrices start at 0; no batch bookkeeping, which
    // costs more than the product itself below ~16³
    const rows = offsets([0], m, opA.rowStride)
    const cols = offsets([0], n, opB.colStride)
    backend(m * n * k).gemm({
      a: opA,
      rowOffsets: rows,
      b: opB,
      colOffsets: cols,
      k,
      c: data,
      outRow: offsets([0], m, n),
      outCol: offsets([0], n, 1),
    })
    return
  }
  // element offsets of each batch matrix of A and B (0 stride where an operand is broadcast)
  const matrixStarts = (opShape: Shape, size: number): number[] => {
    const dims = [...batch, 1]
    const cursor = new Odometer(dims, [
      ...broadcastStridesOf(opShape.slice(0, -2), batch).map((x) => x * size),
      0,
    ])
    const starts: number[] = []
    for (let t = 0; t < count; t++, cursor.next()) starts.push(cursor.offset)
    return starts
  }
  const aStarts = matrixStarts(aShape, m * k)
  const bStarts = matrixStarts(bShape, k * n)
  const outStarts = Array.from({ length: count }, (_, t) => t * m * n)
  const aShared = aStarts.every((o) => o === aStarts[0])
  const bShared = bStarts.every((o) => o === bStarts[0])
  const solve = (
    rowOffsets: Int32Array,
    colOffsets: Int32Array,
    outRow: Int32Array,
    outCol: Int32Array,
  ) =>
    backend(rowOffsets.length * colOffsets.length * k).gemm({
      a: opA,
      rowOffsets,
      b: opB,
      colOffsets,
      k,
      c: data,
      outRow,
      outCol,
    })
  if (count > 1 && aShared) {
    // one A for all: stack every B's columns side by side
    solve(
      offsets([aStarts[0]!], m, opA.rowStride),
      offsets(bStarts, n, opB.colStride),
      offsets([0], m, n),
      offsets(outStarts, n, 1),
    )
  } else if (count > 1 && bShared) {
    // one B for all: stack every A's rows on top of each other
    solve(
      offsets(aStarts, m, opA.rowStride),
      offsets([bStarts[0]!], n, opB.colStride),
      offsets(outStarts, m, n),
      offsets([0], n, 1),
    )
  } else {
    const outCol = offsets([0], n, 1)
    for (let t = 0; t < count; t++) {
      solve(
        offsets([aStarts[t]!], m, opA.rowStride),
        offsets([bStarts[t]!], n, opB.colStride),
        offsets([outStarts[t]!], m, n),
        outCol,
      )
    }
  }
}
