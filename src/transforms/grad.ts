/**
 * `grad` and `valueAndGrad`: reverse mode for functions with a scalar output. The gradient has
 * the type and tree structure of the differentiated argument(s).
 * @module
 */
import { NonScalarOutputError } from '../core/errors.ts'
import type { MaybeZero } from '../core/primitive.ts'
import { Node, VjpInterpreter } from '../core/tape.ts'
import { shapeOf, Tracer, type Val } from '../core/tracer.ts'
import { flatten, isLeaf, type LeafDef, leafOf, type TreeDef, unflatten } from '../core/tree.ts'
import { show } from '../tensor/shape.ts'
import { Tensor } from '../tensor/tensor.ts'
import {
  asLeaf,
  checkArgnums,
  checkFunction,
  checkOptions,
  cotangentOps,
  splitAux,
  stripAux,
  unalias,
} from './common.ts'

/** What `grad` can differentiate: a function whose output is a scalar. */
export type Scalar = number | Tensor

/**
 * A function that takes a number or a tensor, like the elementwise ops (`sin`, `exp`, …) whose
 * overloads map a number to a number and a tensor to a tensor.
 */
export type ElementwiseFn = { (x: number): Scalar; (x: Tensor): Scalar }

/**
 * The gradient of an `ElementwiseFn`: a number for a number, a tensor for a tensor — and, as
 * the ops' last overload, either for either, so `grad(grad(sin))` is elementwise again.
 */
export type ElementwiseGrad = {
  (x: number): number
  (x: Tensor): Tensor
  (x: number | Tensor): number | Tensor
}

/** The parameter of a one-argument function (of its last signature, for overloads). */
export type ParamOf<F> = F extends (x: infer X) => unknown ? X : never

/**
 * Whether `F` takes exactly `number | Tensor` — an elementwise op, or a function written for
 * both kinds — rather than a wider type such as a tree or `unknown`.
 */
export type IsElementwise<F> = [ParamOf<F>] extends [number | Tensor]
  ? [number | Tensor] extends [ParamOf<F>]
    ? true
    : false
  : false

/** `argnums`: one argument index or several. */
export type Argnums = number | readonly number[]

/** The argument(s) picked by `argnums`: one type for a number, a tuple for a list. */
export type Selected<A extends readonly unknown[], N> = N extends number
  ? A[N]
  : { -readonly [K in keyof N]: N[K] extends number ? A[N[K]] : never }

/** Options of `grad` and `valueAndGrad`. */
export interface GradOptions {
  /** Which argument(s) to differentiate (default 0); a list gives a tuple of gradients. */
  readonly argnums?: Argnums | undefined
  /** `f` returns `[output, aux]`; aux is returned alongside, not differentiated. */
  readonly hasAux?: boolean
}

/** Every option's name, for `checkOptions` to refuse others (`satisfies` keeps it complete). */
const gradOptionNames = Object.keys({ argnums: true, hasAux: true } satisfies {
  readonly [K in keyof GradOptions]-?: true
})

/**
 * The seed cotangent 1 of a scalar output: a JS number, or a rank-0 tensor of the output's
 * dtype, so a float32 loss is differentiated in float32 throughout (a number broadcast by a
 * rule would become a float64 tensor and promote the whole backward pass).
 */
const seedOf = (y: Val): Val => asLeaf(1, leafOf(y))

/** Runs `f` and its backward pass; returns [value, aux, gradients per selected argument]. */
const valueAndGradImpl = (
  f: (...args: readonly unknown[]) => unknown,
  args: readonly unknown[],
  options: GradOptions | undefined,
  transformation: string,
): [unknown, unknown, unknown[]] => {
  const hasAux = options?.hasAux === true
  const one = options?.argnums ?? 0
  // one argument that is one leaf, the common case: no trees to flatten and rebuild
  if (typeof one === 'number' && Number.isInteger(one) && one >= 0 && one < args.length) {
    const x = args[one]
    if (isLeaf(x)) return oneLeaf(f, args, one, x, hasAux, transformation)
  }
  const argnums = checkArgnums(one, args.length, transformation)
  const flats = argnums.map((n) => flatten(args[n], `argument ${n}`))
  const interp = new VjpInterpreter(transformation, cotangentOps)
  const mine = (v: Val): v is Node => v instanceof Node && v.interp === interp
  const inputs = flats.map(({ leaves }) => leaves.map((x) => interp.input(x)))
  let y: Val
  let aux: unknown
  try {
    const traced = args.slice()
    argnums.forEach((n, i) => {
      traced[n] = unflatten(flats[i]!.def, inputs[i]!)
    })
    const split = splitAux(f(...traced), hasAux, transformation)
    y = checkScalar(split.out, transformation)
    aux = hasAux ? stripAux(split.aux, (a) => (mine(a) ? a.primal : a)) : undefined
  } finally {
    interp.close()
  }
  const value = mine(y) ? y.primal : y
  const ids: number[] = []
  for (const nodes of inputs) for (const n of nodes) ids.push(n.id)
  const bars = mine(y) ? interp.backward([y.id], [seedOf(y)], ids, true) : ids.map(() => null)
  let start = 0
  const given = flats.map((f) => f.leaves)
  const grads = flats.map(({ def, leafDefs }, i) => {
    const count = inputs[i]!.length
    start += count
    return rebuild(def, leafDefs, bars.slice(start - count, start), given)
  })
  return [value, aux, grads]
}

/** `valueAndGradImpl` for one selected argument that is a number or a tensor: same steps. */
const oneLeaf = (
  f: (...args: readonly unknown[]) => unknown,
  args: readonly unknown[],
  n: number,
  x: Val,
  hasAux: boolean,
  transformation: string,
): [unknown, unknown, unknown[]] => {
  const interp = new VjpInterpreter(transformation, cotangentOps)
  const input = interp.input(x)
  let y: Val
  let aux: unknown
  try {
    const traced = args.slice()
    traced[n] = input
    const split = splitAux(f(...traced), hasAux, transformation)
    y = checkScalar(split.out, transformation)
    aux = hasAux
      ? stripAux(split.aux, (a) => (a instanceof Node && a.interp === interp ? a.primal : a))
      : undefined
  } finally {
    interp.close()
  }
  let value: Val = y
  let bar: MaybeZero = null
  if (y instanceof Node && y.interp === interp) {
    value = y.primal
    bar = interp.backward([y.id], [seedOf(y)], [input.id], true)[0]!
  }
  const g = asLeaf(bar, leafOf(x))
  return [value, aux, [g instanceof Tensor ? unalias([g], [x])[0] : g]]
}

const rebuild = (
  def: TreeDef,
  leaves: readonly LeafDef[],
  bars: readonly (Val | null)[],
  given: readonly (readonly Val[])[],
): unknown => {
  return unflatten(
    def,
    unalias(
      bars.map((b, i) => asLeaf(b, leaves[i]!)),
      ...given,
    ),
  )
}

const checkScalar = (out: unknown, transformation: string): Val => {
  // a lookalike `{ shape, data }` is not a value: it would pass through with a zero gradient
  const isValue = typeof out === 'number' || out instanceof Tracer || out instanceof Tensor
  if (!isValue || shapeOf(out as Val).length !== 0) {
    const shape = isValue ? shapeOf(out as Val) : undefined
    const tree = typeof out === 'object' && out !== null && !isValue
    const got = shape !== undefined ? `shape [${shape.join(', ')}]` : tree ? 'a tree' : show(out)
    throw new NonScalarOutputError(`${transformation} needs a scalar output, got ${got}`, {
      transformation,
      ...(shape === undefined ? {} : { shapes: [shape] }),
      hint:
        out === undefined
          ? 'the function returned nothing: return the value to differentiate'
          : 'reduce the output to a scalar (sum, mean), or use vjp/jacrev for non-scalar outputs',
    })
  }
  return out as Val
}

/**
 * Gradient of a scalar-valued function: `grad(f)(...args)` is ∂f/∂args[0], with the type and
 * tree structure of that argument (`argnums` picks others; a list gives a tuple). Runs `f` once
 * forward, then its tape backwards. Nests without limit: `grad(grad(f))` is f″.
 *
 * Laws: grad-jacrev-jacfwd, fd-agreement, perturbation-confusion. Throws `NonScalarOutputError`
 * for a non-scalar output, `InvalidArgumentError` for bad `argnums` or arguments.
 * @example
 * grad((x: number) => mul(x, x))(3) // => 6
 * grad(grad(sin))(0.5) // ≈ -Math.sin(0.5)
 * @category transformations
 */
export function grad<F extends ElementwiseFn>(
  f: F,
): IsElementwise<F> extends true ? ElementwiseGrad : (x: ParamOf<F>) => ParamOf<F>
export function grad<A extends readonly unknown[]>(f: (...args: A) => Scalar): (...args: A) => A[0]
export function grad<A extends readonly unknown[], const N extends Argnums>(
  f: (...args: A) => Scalar,
  options: { readonly argnums: N; readonly hasAux?: false },
): (...args: A) => Selected<A, N>
export function grad<A extends readonly unknown[], Aux>(
  f: (...args: A) => readonly [Scalar, Aux],
  options: { readonly argnums?: undefined; readonly hasAux: true },
): (...args: A) => [A[0], Aux]
export function grad<A extends readonly unknown[], const N extends Argnums, Aux>(
  f: (...args: A) => readonly [Scalar, Aux],
  options: { readonly argnums: N; readonly hasAux: true },
): (...args: A) => [Selected<A, N>, Aux]
export function grad(
  f: (...args: never[]) => unknown,
  options?: GradOptions,
): (...args: never[]) => unknown {
  checkFunction(f, 'grad')
  checkOptions(options, 'grad', gradOptionNames, ['hasAux'])
  return gradNamed(f as (...a: readonly unknown[]) => unknown, options ?? {}, 'grad')
}

/**
 * The gradient of `f` as `grad` computes it (with `argnums` and `hasAux`), for transformations
 * built on it (`hessian`): errors raised while `f` runs name `transformation`.
 */
export const gradNamed =
  (
    f: (...args: readonly unknown[]) => unknown,
    options: GradOptions,
    transformation: string,
  ): ((...args: readonly unknown[]) => unknown) =>
  (...args) => {
    const [, aux, grads] = valueAndGradImpl(f, args, options, transformation)
    const g = typeof options.argnums === 'object' ? grads : grads[0]
    return options.hasAux === true ? [g, aux] : g
  }

/**
 * Value and gradient together, from one forward and one backward pass: returns
 * `[f(...args), grad]`, or `[[f(...args), aux], grad]` with `hasAux` (JAX's layout).
 * @example
 * valueAndGrad((x: number) => mul(x, x))(3) // => [9, 6]
 * @category transformations
 */
export function valueAndGrad<F extends ElementwiseFn>(
  f: F,
): IsElementwise<F> extends true
  ? {
      (x: number): [number, number]
      (x: Tensor): [Tensor, Tensor]
      (x: number | Tensor): [number | Tensor, number | Tensor]
    }
  : (x: ParamOf<F>) => [ReturnType<F>, ParamOf<F>]
export function valueAndGrad<A extends readonly unknown[], R extends Scalar>(
  f: (...args: A) => R,
): (...args: A) => [R, A[0]]
export function valueAndGrad<
  A extends readonly unknown[],
  R extends Scalar,
  const N extends Argnums,
>(
  f: (...args: A) => R,
  options: { readonly argnums: N; readonly hasAux?: false },
): (...args: A) => [R, Selected<A, N>]
export function valueAndGrad<A extends readonly unknown[], R extends Scalar, Aux>(
  f: (...args: A) => readonly [R, Aux],
  options: { readonly argnums?: undefined; readonly hasAux: true },
): (...args: A) => [[R, Aux], A[0]]
export function valueAndGrad<
  A extends readonly unknown[],
  R extends Scalar,
  const N extends Argnums,
  Aux,
>(
  f: (...args: A) => readonly [R, Aux],
  options: { readonly argnums: N; readonly hasAux: true },
): (...args: A) => [[R, Aux], Selected<A, N>]
export function valueAndGrad(
  f: (...args: never[]) => unknown,
  options?: GradOptions,
): (...args: never[]) => unknown {
  checkFunction(f, 'valueAndGrad')
  checkOptions(options, 'valueAndGrad', gradOptionNames, ['hasAux'])
  return (...args: readonly unknown[]) => {
    const [value, aux, grads] = valueAndGradImpl(
      f as (...a: readonly unknown[]) => unknown,
      args,
      options,
      'valueAndGrad',
    )
    const g = typeof options?.argnums === 'object' ? grads : grads[0]
    return [options?.hasAux === true ? [value, aux] : value, g]
  }
}
