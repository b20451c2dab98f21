/**
 * Checks of what the user functions of `customVjp` and `customJvp` return, against the values
 * they stand for, as JAX does: the tree structure and every leaf's shape. A bwd result of shape
 * [1] for an argument of shape [2] would otherwise broadcast into a wrong gradient. A mismatch
 * is a `TreeMismatchError` naming the leaf's path (`bwd result[0].w`) and both shapes; `null`
 * is a symbolic zero wherever a cotangent or tangent (leaf or subtree) is due.
 * @module
 */
import { InvalidArgumentError, TreeMismatchError } from '../core/errors.ts'
import { shapeOf, Tracer } from '../core/tracer.ts'
import { flatten, leafDefs, type TreeDef, unflatten } from '../core/tree.ts'
import { show } from '../tensor/shape.ts'
import { Tensor } from '../tensor/tensor.ts'
import { asLeaf, checkSync, zeroOf } from './common.ts'

const describe = (x: unknown): string => {
  if (x === null) return 'null'
  if (x === undefined) return 'undefined'
  if (typeof x === 'number') return 'a number'
  if (x instanceof Tensor) return `a Tensor of shape [${x.shape.join(', ')}]`
  if (x instanceof Tracer) return `a traced value of shape [${shapeOf(x).join(', ')}]`
  if (Array.isArray(x)) return `an array of ${x.length}`
  return show(x)
}

const shapeText = (d: TreeDef): string =>
  d.kind === 'leaf' ? `shape [${d.shape.join(', ')}]` : d.kind === 'array' ? 'an array' : d.kind

/**
 * `tree` checked against `def` and normalized: `null` becomes zeros of the subtree it stands
 * for, and each leaf takes the kind (number or tensor) of its primal — a number stands for a
 * rank-0 tensor, as everywhere. `path` names the tree in errors.
 */
export const conformTree = (
  def: TreeDef,
  tree: unknown,
  path: string,
  transformation: string,
  hint: string,
): unknown => {
  const mismatch = (where: string, detail: string, shapes?: (readonly number[])[]) =>
    new TreeMismatchError(`${transformation}: ${where} ${detail}`, {
      transformation,
      ...(shapes === undefined ? {} : { shapes }),
      hint,
    })
  const walk = (d: TreeDef, x: unknown, where: string): unknown => {
    if (d.kind === 'empty') {
      if (x === null || x === undefined) return d.value
      throw mismatch(where, `is ${describe(x)} where the primal is ${String(d.value)}`)
    }
    // a symbolic zero: zeros of everything below
    if (x === null) return unflatten(d, leafDefs(d).map(zeroOf))
    if (d.kind === 'leaf') {
      if (typeof x !== 'number' && !(x instanceof Tensor) && !(x instanceof Tracer)) {
        throw mismatch(where, `is ${describe(x)} where ${shapeText(d)} is expected`)
      }
      const s = shapeOf(x)
      if (s.length !== d.shape.length || s.some((n, i) => n !== d.shape[i])) {
        throw mismatch(
          where,
          `has shape [${s.join(', ')}] where the primal has shape [${d.shape.join(', ')}]`,
          [s, d.shape],
        )
      }
      return asLeaf(x, d)
    }
    if (d.kind === 'array') {
      if (!Array.isArray(x) || x.length !== d.children.length) {
        throw mismatch(where, `is ${describe(x)} where an array of ${d.children.length} is due`)
      }
      return d.children.map((c, i) => walk(c, x[i], `${where}[${i}]`))
    }
    if (typeof x !== 'object' || x === undefined || Array.isArray(x)) {
      throw mismatch(where, `is ${describe(x)} where an object {${d.keys.join(', ')}} is due`)
    }
    const record = x as Record<string, unknown>
    const keys = Object.keys(record)
    if (keys.length !== d.keys.length || d.keys.some((k) => !Object.hasOwn(record, k))) {
      throw mismatch(where, `has keys {${keys.join(', ')}} where {${d.keys.join(', ')}} are due`)
    }
    const out: Record<string, unknown> = {}
    d.keys.forEach((k, i) => {
      // defineProperty: a key named __proto__ stays a key
      Object.defineProperty(out, k, {
        value: walk(d.children[i]!, record[k], `${where}.${k}`),
        enumerable: true,
        writable: true,
        configurable: true,
      })
    })
    return out
  }
  return walk(def, tree, path)
}

/** `[aBar, bBar]` for two arguments: the form a bwd result takes, for hints. */
const tupleForm = (count: number): string =>
  `[${Array.from({ length: count }, (_, i) => `${String.fromCharCode(97 + (i % 26))}Bar`).join(', ')}]`

/**
 * The cotangents a `customVjp` bwd returned, checked against the arguments (`argsDef`, a tuple):
 * one entry per argument, each with its argument's structure and leaf shapes.
 */
export const conformCotangents = (argsDef: TreeDef, result: unknown): unknown => {
  checkSync(result, 'customVjp')
  const count = argsDef.kind === 'array' ? argsDef.children.length : 1
  const hint = `return a tuple with one cotangent (or null for zero) per argument, shaped like it: (res, yBar) => ${tupleForm(count)} as const`
  if (!Array.isArray(result)) {
    throw new TreeMismatchError(
      `customVjp: bwd returned ${describe(result)}, not a tuple with one cotangent per argument`,
      { transformation: 'customVjp', hint },
    )
  }
  if (result.length !== count) {
    throw new TreeMismatchError(
      `customVjp: bwd returned ${result.length} cotangents for ${count} argument(s)`,
      { transformation: 'customVjp', hint },
    )
  }
  return conformTree(argsDef, result, 'bwd result', 'customVjp', hint)
}

/** `[output, tangent]` from a `customJvp` rule, the tangent checked against the output. */
export const conformJvpResult = (result: unknown): readonly [unknown, unknown] => {
  checkSync(result, 'customJvp')
  const hint =
    'return [output, outputTangent], the tangent shaped like the output (null for zero): ([x], [t]) => [f(x), mul(df(x), t)] as const'
  if (!Array.isArray(result) || result.length !== 2) {
    throw new TreeMismatchError(
      `customJvp: the rule returned ${describe(result)}, not a pair [output, outputTangent]`,
      { transformation: 'customJvp', hint },
    )
  }
  const def = flatten(result[0], 'the rule’s output').def
  return [result[0], conformTree(def, result[1], 'rule result[1]', 'customJvp', hint)]
}

/** `[output, residuals]` from a `customVjp` fwd. */
export const checkFwdResult = (result: unknown): readonly [unknown, unknown] => {
  checkSync(result, 'customVjp')
  if (!Array.isArray(result) || result.length !== 2) {
    throw new InvalidArgumentError(
      `customVjp: fwd returned ${describe(result)}, not a pair [output, residuals]`,
      {
        transformation: 'customVjp',
        hint: 'return the output and what bwd needs: (x) => [f(x), residuals] as const (residuals may be [])',
      },
    )
  }
  return [result[0], result[1]]
}

/** Whether two trees have the same structure (leaf shapes aside: a batch may add an axis). */
export const sameStructure = (a: TreeDef, b: TreeDef): boolean => {
  if (a.kind === 'leaf' || a.kind === 'empty') return a.kind === b.kind
  if (b.kind !== a.kind || b.children.length !== a.children.length) return false
  if (a.kind === 'object' && b.kind === 'object' && a.keys.some((k, i) => k !== b.keys[i])) {
    return false
  }
  return a.children.every((c, i) => sameStructure(c, b.children[i]!))
}
