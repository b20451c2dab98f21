/**
 * Abstract values for `jit`'s first trace of a tensor program: a large input, and every value
 * computed from one, is recorded by its shape, dtype and weak type only — each op's result
 * from its shape rule and the dtype rules `bind` applies, its kernel not run (as JAX traces on
 * shaped arrays) — and the first call's result is then the compiled program's. The first call
 * thus costs staging, compiling and one run of the program, instead of staging on an eager
 * run's values plus compiling; and the program's own first run, slow while its loops are new to
 * V8, is no longer the second call's (bench/NOTES.md §34).
 *
 * A placeholder is a `Tensor` whose storage refuses every read: whatever reads its elements —
 * a loop or branch staged on values, a kernel run by a nested transformation — tells the trace,
 * which `jit` then redoes on values, so no number is ever taken from a placeholder.
 * @module
 */
import { anyFloat32, resultDtype, weakResult } from '../core/dtype.ts'
import type { Primitive } from '../core/primitive.ts'
import { type Concrete, notAValue } from '../core/tracer.ts'
import type { Shape } from '../tensor/shape.ts'
import { type DType, type Floats, Tensor } from '../tensor/tensor.ts'

/**
 * Inputs of at least this many elements are traced abstractly: below it, an op's kernel costs
 * about what its placeholder does, and a trace on values gives the first result without a run.
 */
export const ABSTRACT_MIN_ELEMENTS = 1024

const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env
const fromEnv = Number(env?.FLUXION_ABSTRACT_MIN_ELEMENTS ?? Number.NaN)
/** The threshold in force: `FLUXION_ABSTRACT_MIN_ELEMENTS` (for running test suites abstractly). */
let minElements = Number.isInteger(fromEnv) && fromEnv >= 0 ? fromEnv : ABSTRACT_MIN_ELEMENTS

/** The threshold in force. */
export const abstractMinElements = (): number => minElements

/** Sets the threshold (for tests and benchmarks); returns the previous one. */
export function setAbstractMinElements(n: number): number {
  const was = minElements
  minElements = n
  return was
}

/** Counts, for tests: abstract traces that ran, and those redone on values. */
export const abstractStats: { traces: number; onValues: number } = { traces: 0, onValues: 0 }

/** A trace that makes placeholders, and learns when one was read. */
export interface AbstractOwner {
  /** Set when a placeholder's elements were read: the trace must be redone on values. */
  abstractFailed: boolean
}

/** Thrown where a placeholder's elements are read (caught by `jit`, which traces on values). */
export class AbstractValueRead extends Error {
  constructor() {
    super('jit: an abstract value was read (the first trace is redone on concrete values)')
    this.name = 'AbstractValueRead'
  }
}

/** The owner of each placeholder storage. */
const owners = new WeakMap<object, AbstractOwner>()

/** Whether `v` is a placeholder. */
export const isPlaceholder = (v: Concrete): boolean => typeof v !== 'number' && owners.has(v.data)

/** Marks `owner`'s trace as failed, and stops the code that read. */
const refuse = (owner: AbstractOwner): never => {
  owner.abstractFailed = true
  throw new AbstractValueRead()
}

/** Refuses `v` if it is a placeholder (a raw one, out of its `Staged`, about to be kept). */
export const refusePlaceholder = (v: Concrete): void => {
  const owner = typeof v === 'number' ? undefined : owners.get(v.data)
  if (owner !== undefined) refuse(owner)
}

/**
 * Storage of `size` elements of `dtype` that refuses every read: every property but `length`
 * (elements, `subarray`, iteration, …). `instanceof` sees the typed array's class, so the
 * tensor's dtype is `dtype`.
 */
const refusingStorage = (size: number, dtype: DType, owner: AbstractOwner): Floats => {
  const target = dtype === 'float32' ? new Float32Array(0) : new Float64Array(0)
  const storage = new Proxy(target, {
    get: (_, key) => (key === 'length' ? size : refuse(owner)),
    set: () => refuse(owner),
  })
  owners.set(storage, owner)
  return storage
}

/**
 * The placeholders of one trace, sharing storage by size and dtype; and its abstract numbers:
 * plain numbers computed from a placeholder (a loss made a number, say), whose value is NaN and
 * never read — they are known by their variable, and what is computed from them is abstract too.
 */
export class Placeholders {
  private readonly storage = new Map<number, Floats>()
  private readonly owner: AbstractOwner
  /** Abstract numbers, by variable (1: abstract). */
  private numbers = new Uint8Array(64)
  /** Whether a placeholder was made (the first result must then come from the program). */
  used = false

  constructor(owner: AbstractOwner) {
    this.owner = owner
  }

  /** A placeholder of `shape`, `dtype`, `weak`. */
  make(shape: Shape, dtype: DType, weak: boolean): Tensor {
    let size = 1
    for (let i = 0; i < shape.length; i++) size *= shape[i]!
    // the key: size and dtype (float32 odd)
    const key = size * 2 + (dtype === 'float32' ? 1 : 0)
    let data = this.storage.get(key)
    if (data === undefined) {
      data = refusingStorage(size, dtype, this.owner)
      this.storage.set(key, data)
    }
    this.used = true
    return new Tensor(data, shape, weak)
  }

  /** Marks variable `id`, a number, abstract. */
  markNumber(id: number): void {
    if (id >= this.numbers.length) {
      const grown = new Uint8Array(Math.max(id + 1, this.numbers.length * 2))
      grown.set(this.numbers)
      this.numbers = grown
    }
    this.numbers[id] = 1
  }

  /** Whether variable `id`, a number, is abstract. */
  isAbstractNumber(id: number): boolean {
    return id < this.numbers.length && this.numbers[id] === 1
  }

  /** Gives up: the trace is to be redone on values. */
  refuse(): never {
    return refuse(this.owner)
  }

  /**
   * The abstract result of `p` on `args`, some of them abstract: a placeholder, or NaN for an
   * abstract number (the caller marks its variable). Where an argument is a tensor, the shape
   * rule says what it is (`apply`); on numbers alone, the kernel run on them (NaN for the
   * abstract ones) says whether it is a number or a tensor, and of what shape — a kernel that
   * refuses NaN leaves the trace to be redone on values.
   */
  result(p: Primitive, args: readonly Concrete[], params: unknown): Concrete {
    // what bind checks before a kernel: a bad argument fails here as it does eagerly
    for (const a of args)
      if (typeof a !== 'number' && !(a instanceof Tensor)) throw notAValue(a, p.name)
    if (args.some((a) => typeof a !== 'number')) {
      return makesNumber(p, params) ? Number.NaN : this.apply(p, args, params)
    }
    let out: Concrete
    try {
      out = p.impl(args, params)
    } catch {
      return refuse(this.owner)
    }
    if (typeof out === 'number') return Number.NaN
    const dtype = p.outDtype !== undefined ? p.outDtype(params) : 'float64'
    return this.make(out.shape, dtype, weakResult(p, args))
  }

  /** A placeholder of `v`'s shape, dtype and weak type. */
  like(v: Tensor): Tensor {
    return this.make(v.shape, v.dtype, v.weak)
  }

  /**
   * The placeholder of `p` applied to `args` (some of them placeholders): what `bind` would
   * return, but for the elements — the shape rule's shape (which checks the arguments as
   * `bind` does), and the dtype and weak type `bind` gives the kernel's output.
   */
  apply(p: Primitive, args: readonly Concrete[], params: unknown): Tensor {
    const shape = p.shape(
      args.map((a) => (typeof a === 'number' ? [] : a.shape)),
      params,
    )
    // kernels write float64: bind casts where float32 or an output dtype is involved
    const dtype =
      p.outDtype !== undefined || anyFloat32(args) ? resultDtype(p, args, params) : 'float64'
    return this.make(shape, dtype, weakResult(p, args))
  }
}

/** Whether `p` with `params` turns a tensor into a plain number (`cast` to a number, the one that does). */
const makesNumber = (p: Primitive, params: unknown): boolean =>
  p.name === 'cast' && (params as { readonly to?: unknown }).to === 'number'
