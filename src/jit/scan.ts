/**
 * The argument scan of `jit`: one walk over an argument tree giving what every call needs —
 * its number leaves (as runs read in place), its tensor leaves, and its cache key.
 * @module
 */
import { Tensor } from '../tensor/tensor.ts'
import type { NumberRuns } from './compile.ts'

/** Nesting depth up to which `scan` reads a tree itself (it recurses; flatten does not). */
const SCAN_DEPTH = 1000

/**
 * The leaves of an argument tree — its numbers (as runs read in place) and its tensors, each in
 * order — and its key, a compact, exact description of its structure and of
 * each leaf's kind, shape, dtype and weak type, runs of number leaves counted: what every call needs, in one walk,
 * without building a def. Undefined for anything that is not a plain tree of numbers and
 * concrete tensors (a traced value, a cycle, a bad leaf), which `flatten` then handles: running
 * `f` itself, or raising the named error.
 */
export const scan = (
  tree: unknown,
): { key: string; numbers: NumberRuns; tensors: Tensor[] } | undefined => {
  // runs of numbers are referenced where they are, not copied: a call may pass 10⁵ of them
  const numbers: NumberRuns = { sources: [], starts: [], counts: [] }
  const loose: number[] = []
  const run = (source: readonly number[], start: number, count: number): void => {
    numbers.sources.push(source)
    numbers.starts.push(start)
    numbers.counts.push(count)
  }
  const tensors: Tensor[] = []
  const onPath = new Set<object>()
  const walk = (x: unknown): string | undefined => {
    if (typeof x === 'number') {
      run(loose, loose.push(x) - 1, 1)
      return 'n'
    }
    if (x instanceof Tensor) {
      tensors.push(x)
      // a float32 tensor keys another program: its values have another dtype; so does a weakly
      // typed one: the dtypes and weak types of what is computed from it differ
      const kind = x.dtype === 'float32' ? 's' : 't'
      return `${x.weak ? 'w' : ''}${kind}${x.shape.join('x')}`
    }
    if (x === null) return 'N'
    if (x === undefined) return 'U'
    if (typeof x !== 'object' || onPath.has(x)) return undefined
    // issue #12: a tree deeper than this is left to flatten, whose walk needs no JS stack
    if (onPath.size >= SCAN_DEPTH) return undefined
    onPath.add(x)
    let key: string | undefined
    if (Array.isArray(x)) {
      key = '['
      let count = 0
      for (let i = 0; i < x.length && key !== undefined; i++) {
        const c: unknown = x[i]
        // issue #12: a hole is refused by flatten, not keyed as undefined
        if (c === undefined && !Object.hasOwn(x, i)) return undefined
        if (typeof c === 'number') {
          count++
          continue
        }
        if (count > 0) {
          run(x as number[], i - count, count)
          key += `n${count},`
        }
        count = 0
        const k = walk(c)
        key = k === undefined ? undefined : `${key}${k},`
      }
      if (key !== undefined && count > 0) run(x as number[], x.length - count, count)
      if (key !== undefined) key = count > 0 ? `${key}n${count}]` : `${key}]`
    } else if (Object.getPrototypeOf(x) === Object.prototype || Object.getPrototypeOf(x) === null) {
      key = '{'
      const record = x as Record<string, unknown>
      for (const k of Object.keys(record)) {
        const child = walk(record[k])
        if (child === undefined) {
          key = undefined
          break
        }
        key += `${JSON.stringify(k)}:${child},`
      }
      if (key !== undefined) key += '}'
    }
    onPath.delete(x)
    return key
  }
  let key: string | undefined
  try {
    key = walk(tree)
  } catch {
    // issue #12: a getter or Proxy of the tree threw; flatten raises it as a named error
    return undefined
  }
  return key === undefined ? undefined : { key, numbers, tensors }
}
