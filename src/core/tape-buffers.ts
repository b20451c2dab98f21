/**
 * The typed arrays behind a reverse-mode tape, the pool that hands them from one
 * transformation to the next, and the packed form of a small tape a pullback keeps.
 * @module
 */

/** The typed arrays of a tape: per node (values, numeric flags, cotangents) and per record. */
export interface Buffers {
  readonly values: Float64Array<ArrayBuffer>
  readonly numeric: Uint8Array<ArrayBuffer>
  readonly kind: Uint8Array<ArrayBuffer>
  readonly outId: Int32Array<ArrayBuffer>
  readonly in0: Int32Array<ArrayBuffer>
  readonly in1: Int32Array<ArrayBuffer>
  readonly p0: Float64Array<ArrayBuffer>
  readonly p1: Float64Array<ArrayBuffer>
  /** Numeric cotangents, per node (used by `backward`). */
  readonly bars: Float64Array<ArrayBuffer>
}

/** Fresh zeroed buffers for `nodes` nodes and `records` records. */
export const allocate = (nodes: number, records: number): Buffers => ({
  values: new Float64Array(nodes),
  numeric: new Uint8Array(nodes),
  kind: new Uint8Array(records),
  outId: new Int32Array(records),
  in0: new Int32Array(records),
  in1: new Int32Array(records),
  p0: new Float64Array(records),
  p1: new Float64Array(records),
  bars: new Float64Array(nodes),
})

/**
 * One set of tape buffers kept between transformations: a `grad` that consumed its tape hands
 * them to the next one, so repeated gradients neither regrow nor reallocate them. (They hold
 * only stale numbers: nothing a transformation recorded stays reachable through them.)
 */
let spare: Buffers | undefined

/**
 * Entries of a fresh set. Small: at 1024 entries a fresh set was two thirds of a small `vjp`'s
 * cost (bench/NOTES.md §14). A long tape grows by doubling; a consumed tape's set, and a small
 * kept one's (`VjpInterpreter.keep` copies its records out), is kept for the next.
 */
const INITIAL = 64

/**
 * What a released tape holds instead of its buffers (given back to the pool): one shared set,
 * never read (a released tape refuses reads), so releasing allocates nothing.
 */
export const RELEASED: Buffers = allocate(1, 1)

/** A kept tape that still holds its buffers, and can copy itself out of them on demand. */
export interface Lender {
  /** Packs the tape's records and gives its buffers back (`returnBuffers`). */
  evict(): void
}

/**
 * The one kept small tape that holds the buffers the pool would otherwise have (see
 * `VjpInterpreter.keep`). Held strongly, and only until the next tape needs buffers: at most
 * one small tape outlives its caller's use of it by one transformation call.
 */
let lender: Lender | undefined

/** Lends the pool's next set to `tape`, a kept tape that still holds it (one at a time). */
export const lend = (tape: Lender): void => {
  if (lender !== undefined && lender !== tape) lender.evict()
  lender = tape
}

/** Ends `tape`'s loan, if it is the lender (while its buffers are in use, or once released). */
export const unlend = (tape: Lender): void => {
  if (lender === tape) lender = undefined
}

/**
 * Buffers for a new tape: the spare set if there is one (and it holds `nodes` nodes and
 * `records` records), else the lender's (packed first), else a fresh set.
 */
export const takeBuffers = (nodes = 0, records = 0): Buffers => {
  if (spare === undefined && lender !== undefined) {
    const tape = lender
    lender = undefined
    tape.evict()
  }
  const b =
    spare !== undefined && spare.values.length >= nodes && spare.kind.length >= records
      ? spare
      : allocate(Math.max(INITIAL, nodes), Math.max(INITIAL, records))
  if (b === spare) spare = undefined
  return b
}

/** Gives a finished tape's buffers back; the larger set is kept. */
export const returnBuffers = (b: Buffers): void => {
  if (
    spare === undefined ||
    spare.kind.length + spare.values.length < b.kind.length + b.values.length
  ) {
    spare = b
  }
}

/** A copy of `a` in an array twice as long. */
export const grow8 = (a: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> => {
  const b = new Uint8Array(a.length * 2)
  b.set(a)
  return b
}
export const grow32 = (a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => {
  const b = new Int32Array(a.length * 2)
  b.set(a)
  return b
}
export const grow64 = (a: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> => {
  const b = new Float64Array(a.length * 2)
  b.set(a)
  return b
}

// ---- packed tapes: a small tape kept by a pullback, in JS arrays (see VjpInterpreter.keep) ----

/**
 * Tapes up to this many nodes plus records are packed: beyond it, copying the tape back for
 * each pullback would cost more than the buffers' allocation saves.
 */
export const PACK_LIMIT = 2048

/**
 * A packed tape: small integers and doubles apart, so that neither JS array changes its
 * elements kind (and storage) while it is filled.
 */
export interface Packed {
  /** Numeric flag per node, then kind, output and two inputs per record. */
  readonly ints: number[]
  /** Value per node, then two partials per record. */
  readonly floats: number[]
}

/** The first `n` nodes and `c` records of `b`, packed. */
export const pack = (b: Buffers, n: number, c: number): Packed => {
  const ints: number[] = new Array<number>(n + 4 * c)
  const floats: number[] = new Array<number>(n + 2 * c)
  const { values, numeric, kind, outId, in0, in1, p0, p1 } = b
  for (let i = 0; i < n; i++) {
    ints[i] = numeric[i]!
    floats[i] = values[i]!
  }
  for (let r = 0, k = n, j = n; r < c; r++, k += 4, j += 2) {
    ints[k] = kind[r]!
    ints[k + 1] = outId[r]!
    ints[k + 2] = in0[r]!
    ints[k + 3] = in1[r]!
    floats[j] = p0[r]!
    floats[j + 1] = p1[r]!
  }
  return { ints, floats }
}

/** Buffers from the pool holding a packed tape of `n` nodes and `c` records. */
export const unpack = ({ ints, floats }: Packed, n: number, c: number): Buffers => {
  const b = takeBuffers(n, c)
  const { numeric, kind, outId, in0, in1, p0, p1 } = b
  // node values are not read backwards (a node's primal reads the packed array)
  for (let i = 0; i < n; i++) numeric[i] = ints[i]!
  for (let r = 0, k = n, j = n; r < c; r++, k += 4, j += 2) {
    kind[r] = ints[k]!
    outId[r] = ints[k + 1]!
    in0[r] = ints[k + 2]!
    in1[r] = ints[k + 3]!
    p0[r] = floats[j]!
    p1[r] = floats[j + 1]!
  }
  return b
}
