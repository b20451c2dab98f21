/**
 * `jit`: trace once per input shapes, replay a fused program. The first call with a new
 * structure of arguments (tree, kinds, shapes) runs `f` eagerly under the staging interpreter,
 * which records every primitive application; the recording is compiled — dead code dropped,
 * chains of elementwise ops fused into single loops — and cached. Later calls with the same
 * structure run the compiled program. Results equal the eager ones to the bit.
 * @module
 */

import { compile, type Program } from '../core/compile.ts'
import { debugState } from '../core/debug.ts'
import { Staged, StagingInterpreter, Unstageable } from '../core/stage.ts'
import { type Concrete, Tracer, type Val } from '../core/tracer.ts'
import { flatten, type TreeDef, unflatten } from '../core/tree.ts'
import { checkFunction, checkSync, unalias } from './common.ts'

/** A cached compilation, or `eager` for a structure whose trace met another transformation. */
type Entry = { readonly program: Program; readonly outDef: TreeDef } | 'eager'

/** A compact, exact key of a tree structure with its leaves' kinds and shapes. */
const keyOf = (def: TreeDef): string => {
  switch (def.kind) {
    case 'leaf':
      return def.number ? 'n' : `t${def.shape.join('x')}`
    case 'empty':
      return def.value === null ? 'N' : 'U'
    case 'array': {
      // runs of number leaves as a count: scalar code passes arrays of thousands of them
      let key = '['
      let numbers = 0
      for (const c of def.children) {
        if (c.kind === 'leaf' && c.number) {
          numbers++
          continue
        }
        if (numbers > 0) key += `n${numbers},`
        numbers = 0
        key += `${keyOf(c)},`
      }
      return numbers > 0 ? `${key}n${numbers}]` : `${key}]`
    }
    case 'object':
      return `{${def.keys.map((k, i) => `${JSON.stringify(k)}:${keyOf(def.children[i]!)}`).join(',')}}`
  }
}

const anyTraced = (leaves: readonly Val[]): boolean => {
  for (let i = 0; i < leaves.length; i++) if (leaves[i] instanceof Tracer) return true
  return false
}

/**
 * Compiles `f`: the same function, traced once per structure of its arguments (tree shape, and
 * each leaf's kind and shape) and replayed from then on, with chains of elementwise ops fused
 * into single loops over memory. It composes with every transformation: `jit(grad(f))` compiles
 * the gradient, backward pass included; under an outer transformation (`grad(jit(f))`) the call
 * runs `f` as it is, so derivatives are always those of `f`.
 *
 * Like JAX's `jit`, the traced function must not depend on the values of its arguments: reading
 * one (`value(x)`, `x.item()`, `x.data`, a JS branch on data) throws `ConcretizationError`.
 * Values it closes over are constants of the compiled program. With `debugNans` on, calls run
 * eagerly so the check can name the primitive.
 * @example
 * const loss = (x: Tensor) => sum(mul(sin(x), x))
 * const fastGrad = jit(grad(loss))
 * const x = tensor([0.5, 1, 2])
 * // traced and compiled on the first call, replayed after: the same bits as grad(loss)
 * fastGrad(x).data.join() === grad(loss)(x).data.join() // => true
 * @category transformations
 */
export function jit<A extends unknown[], R>(f: (...args: A) => R): (...args: A) => R {
  checkFunction(f, 'jit')
  const cache = new Map<string, Entry>()
  return (...args: A): R => {
    const flat = flatten(args, 'argument')
    // under another transformation, or checking for NaNs: run f itself
    if (debugState.on || anyTraced(flat.leaves)) return f(...args)
    const inputs = flat.leaves as Concrete[]
    const key = keyOf(flat.def)
    const entry = cache.get(key)
    if (entry === 'eager') return f(...args)
    if (entry !== undefined) {
      return unflatten(entry.outDef, unalias(entry.program.run(inputs), inputs)) as R
    }
    const interp = new StagingInterpreter()
    let traced: { outLeaves: Val[]; outDef: TreeDef; program: Program } | undefined
    try {
      const out = f(
        ...(unflatten(
          flat.def,
          inputs.map((x) => interp.input(x)),
        ) as A),
      )
      checkSync(out, 'jit')
      const outFlat = flatten(out, 'output')
      traced = {
        outLeaves: outFlat.leaves,
        outDef: outFlat.def,
        program: compile(interp.finish(outFlat.leaves)),
      }
    } catch (e) {
      if (!(e instanceof Unstageable)) throw e
    } finally {
      interp.close()
    }
    if (traced === undefined) {
      // a value of an enclosing transformation was captured: that cannot be replayed
      cache.set(key, 'eager')
      return f(...args)
    }
    const { outLeaves, outDef, program } = traced
    cache.set(key, { program, outDef })
    // this call's result is the trace's own (eager) values
    const values = outLeaves.map((v) => (v instanceof Staged ? v.primal : (v as Concrete)))
    return unflatten(outDef, unalias(values, inputs)) as R
  }
}
