/**
 * Runners of laws `jit-agreement` and `abstract-agreement` over the registry. `jit-agreement`:
 * for every primitive, applying it through
 * `jit` — traced and compiled on the first call, replayed by the compiled program on the second —
 * equals applying it eagerly, to the last bit, the signs of zeros included; and for a
 * differentiable primitive, so does its pullback, `jit` of `vjp` (the backward pass compiled and
 * fused too), with one exception stated at `sameNumberCotangent`.
 *
 * Arguments come from the primitive's own domain, as in the other suites; the cotangent is fixed
 * data with zeros among its entries, so zero-preserving products in the fused pullbacks are
 * exercised too.
 * @module
 */
import fc, { type GeneratorValue } from 'fast-check'
import { astype, jit, Tensor, vjp } from 'fluxion'
import { bindN } from '../../src/core/bind.ts'
import type { Primitive } from '../../src/core/primitive.ts'
import { type Concrete, concreteOf, type Val } from '../../src/core/tracer.ts'
import { AbstractValueRead, Placeholders } from '../../src/jit/abstract.ts'
import { drawFrom } from '../draw.ts'
import { differentiableArguments } from '../subject.ts'
import type { Runner } from './point.ts'

/** Every leaf of a tree of numbers and tensors, in order, as plain numbers. */
const numbersOf = (tree: unknown): number[] => {
  if (typeof tree === 'number') return [tree]
  if (tree instanceof Tensor) return Array.from(tree.data)
  if (Array.isArray(tree)) return tree.flatMap(numbersOf)
  return []
}

/** Whether two results hold the same numbers: `Object.is` per element (−0 is not 0, NaN is NaN). */
export const sameBits = (a: unknown, b: unknown): boolean => {
  const [x, y] = [numbersOf(a), numbersOf(b)]
  return x.length === y.length && x.every((v, i) => Object.is(v, y[i]))
}

/**
 * `sameBits` for the cotangent of a plain-number argument, except that jit's −0 may be eager's
 * +0. Eager reverse mode sums a plain number's cotangent into a slot that starts at +0 (and +0 +
 * −0 = +0), while under `jit` the argument is a staged value, whose cotangent is the sum of its
 * contributions alone. Only that direction differs: the eager slot never holds −0.
 */
const sameNumberCotangent = (jitted: unknown, eager: unknown): boolean => {
  const [x, y] = [numbersOf(jitted), numbersOf(eager)]
  return (
    x.length === y.length &&
    x.every((v, i) => Object.is(v, y[i]) || (Object.is(v, -0) && Object.is(y[i], 0)))
  )
}

/** Numbers as text, −0 included. */
const show = (tree: unknown): string =>
  numbersOf(tree)
    .map((v) => (Object.is(v, -0) ? '-0' : String(v)))
    .join(', ')

/** A cotangent like `y`: entries in [−1, 1] with every third one zero. */
const cotangentLike = (y: Val): Val => {
  const value = (i: number) => (i % 3 === 0 ? 0 : ((i * 7) % 9) / 4 - 1)
  const c = concreteOf(y)
  if (typeof c === 'number') return value(1)
  return new Tensor(
    Float64Array.from(c.data, (_, i) => value(i)),
    c.shape,
  )
}

const agreement = (p: Primitive, g: GeneratorValue): void => {
  const { args, params } = p.domain.sample(drawFrom(g))
  const apply = (...xs: Val[]): Val => bindN(p, xs, params)
  const label = `jit-agreement: ${p.name}(${args.map((a) => (typeof a === 'number' ? 'number' : `[${a.shape}]`)).join(', ')})`
  const eager = apply(...args)
  const jitted = jit(apply)
  const traced = jitted(...args)
  const replayed = jitted(...args)
  if (!sameBits(traced, eager)) throw new Error(`${label}: the traced call differs from eager`)
  if (!sameBits(replayed, eager)) throw new Error(`${label}: the replay differs from eager`)
  if (p.zeroDerivative) return
  const yBar = cotangentLike(eager)
  // one cotangent per differentiable argument; the domain's `fixed` ones are held fixed, as
  // in every other law (betainc's a and b carry no derivative and refuse one)
  const free = differentiableArguments(p, args.length)
  const freeArgs = free.map((i) => args[i]!)
  const applyFree = (...xs: Val[]): Val => {
    const full: Val[] = args.slice()
    free.forEach((position, i) => {
      full[position] = xs[i]!
    })
    return apply(...full)
  }
  const pullback = (...xs: Val[]): readonly unknown[] => vjp(applyFree, ...xs)[1](yBar)
  const eagerBars = pullback(...freeArgs)
  const jittedPullback = jit(pullback)
  for (const call of ['traced', 'replayed']) {
    const bars = jittedPullback(...freeArgs)
    const same = freeArgs.every((a, i) =>
      (typeof a === 'number' ? sameNumberCotangent : sameBits)(bars[i], eagerBars[i]),
    )
    if (!same) {
      throw new Error(
        `${label}: jit(vjp) ${call} differs from vjp: ${show(bars)} vs ${show(eagerBars)}`,
      )
    }
  }
}

/**
 * `abstract-agreement`: what `jit`'s abstract trace records for `p` (src/jit/abstract.ts) is
 * what `p` computes. At a point of its domain — its arguments as drawn, in float32, or weakly
 * typed —, with each argument abstract or not at random (at least one abstract: a tensor's
 * placeholder, a number's NaN), the abstract result has the eager result's kind, shape, dtype
 * and weak type, and no placeholder was read. (An abstract number may make a kernel of numbers
 * alone refuse the NaN: the trace is then redone on values, which the law accepts.)
 */
const abstractAgreement = (p: Primitive, g: GeneratorValue): void => {
  const { args, params } = p.domain.sample(drawFrom(g))
  const variant = g(fc.constantFrom, 'as drawn', 'float32', 'weak')
  const xs = args.map((a) =>
    typeof a === 'number' || variant === 'as drawn'
      ? a
      : variant === 'float32'
        ? astype(a, 'float32')
        : new Tensor(a.data, a.shape, true),
  )
  let eager: Concrete
  try {
    eager = bindN(p, xs, params) as Concrete
  } catch {
    // (a variant the primitive refuses, as float32 indices may be: nothing to compare)
    return
  }
  const abstract = xs.map(() => g(fc.boolean))
  if (!abstract.includes(true)) abstract[g(fc.nat, xs.length - 1)] = true
  const owner = { abstractFailed: false }
  const placeholders = new Placeholders(owner)
  const values = xs.map((x, i) =>
    !abstract[i] ? x : typeof x === 'number' ? Number.NaN : placeholders.like(x),
  )
  const label = `abstract-agreement: ${p.name}(${xs.map((x, i) => `${abstract[i] ? 'abstract ' : ''}${typeof x === 'number' ? 'number' : `${x.dtype}${x.weak ? ' weak' : ''}[${x.shape}]`}`).join(', ')})`
  let out: Concrete
  try {
    out = placeholders.result(p, values, params)
  } catch (e) {
    if (e instanceof AbstractValueRead && xs.every((x) => typeof x === 'number')) return
    throw new Error(`${label}: ${String(e)}`)
  }
  if (owner.abstractFailed) throw new Error(`${label}: a placeholder was read`)
  const kind = (v: Concrete) =>
    typeof v === 'number' ? 'number' : `${v.dtype}${v.weak ? ' weak' : ''}[${v.shape}]`
  if (kind(out) !== kind(eager)) {
    throw new Error(`${label}: abstractly ${kind(out)}, eagerly ${kind(eager)}`)
  }
}

/** The runners of this suite. */
export const jitRunners: {
  readonly 'jit-agreement': Runner
  readonly 'abstract-agreement': Runner
} = {
  'jit-agreement': (p) => {
    fc.assert(fc.property(fc.gen(), (g) => agreement(p, g)))
  },
  'abstract-agreement': (p) => {
    fc.assert(fc.property(fc.gen(), (g) => abstractAgreement(p, g)))
  },
}
