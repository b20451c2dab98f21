/**
 * `einsum`: Einstein summation with NumPy's subscripts, as a composition of primitives, so it
 * differentiates in every mode and works under `vmap` and `jit` with no rule of its own. The
 * subscripts are parsed (einsum-parse.ts) and bound to the operand shapes, operands are reduced
 * on their own first (broadcast `...` axes of size 1 dropped, diagonals taken, labels nobody
 * else has summed), then contracted pairwise in greedy order (einsum-contract.ts). All of it
 * depends on shapes only, so it is planned once per subscripts and shapes into a program of
 * primitive applications (einsum-program.ts) that later calls replay.
 *
 * Laws: those of its primitives — fd-agreement, vjp-jvp-adjoint, jvp-linearity (in each
 * operand).
 * @module
 */
import { InvalidArgumentError } from '../core/errors.ts'
import { shapeOf } from '../core/tracer.ts'
import { type Shape, show } from '../tensor/shape.ts'
import type { Tensor } from '../tensor/tensor.ts'
import {
  arrange,
  contractPair,
  diagonals,
  dropUnit,
  type Labeled,
  type Sizes,
  sizeOfLabels,
  sumOut,
} from './einsum-contract.ts'
import { bindSpec, parsed } from './einsum-parse.ts'
import { Builder, execute, type Program } from './einsum-program.ts'
import { reshape } from './structural.ts'

type Value = number | Tensor

type LabelLists = readonly (readonly number[])[]

/** The labels that stay after contracting terms i and j: in the output or another term. */
const staying = (terms: LabelLists, i: number, j: number, output: readonly number[]) => {
  const set = new Set(output)
  terms.forEach((t, q) => {
    if (q !== i && q !== j) for (const l of t) set.add(l)
  })
  return set
}

/**
 * The pair to contract next, greedily: among pairs sharing a label, the one whose result is
 * smallest relative to its operands (size(result) − size(a) − size(b), opt_einsum's 'greedy'),
 * ties going to the cheaper product (fewer multiply-adds: the size of all labels involved);
 * when no pair shares a label, the two smallest operands (outer products as late as possible).
 */
function nextPair(terms: LabelLists, output: readonly number[], sizes: Sizes): [number, number] {
  let best: [number, number] | undefined
  let bestCost = Infinity
  let bestFlops = Infinity
  const sizeAt = terms.map((t) => sizeOfLabels(t, sizes))
  for (let i = 0; i < terms.length; i++) {
    for (let j = i + 1; j < terms.length; j++) {
      const [a, b] = [terms[i]!, terms[j]!]
      if (!a.some((l) => b.includes(l))) continue
      const stays = staying(terms, i, j, output)
      const union = [...new Set([...a, ...b])]
      const result = sizeOfLabels(
        union.filter((l) => stays.has(l)),
        sizes,
      )
      const cost = result - sizeAt[i]! - sizeAt[j]!
      const flops = sizeOfLabels(union, sizes)
      if (cost < bestCost || (cost === bestCost && flops < bestFlops)) {
        bestCost = cost
        bestFlops = flops
        best = [i, j]
      }
    }
  }
  if (best !== undefined) return best
  const bySize = terms.map((_, i) => i).sort((x, y) => sizeAt[x]! - sizeAt[y]! || x - y)
  const [i, j] = [bySize[0]!, bySize[1]!]
  return i < j ? [i, j] : [j, i]
}

/**
 * The contraction order for operands with these labels, opt_einsum style: each step names two
 * positions (i < j) in the current list of terms, which are removed, and their contraction is
 * appended. Depends on labels and sizes only, so it can be planned (and tested) without values.
 */
export function greedyPath(
  operands: LabelLists,
  output: readonly number[],
  sizes: Sizes,
): [number, number][] {
  const terms = [...operands]
  const path: [number, number][] = []
  while (terms.length > 1) {
    const [i, j] = nextPair(terms, output, sizes)
    const stays = staying(terms, i, j, output)
    const result = [...new Set([...terms[i]!, ...terms[j]!])].filter((l) => stays.has(l))
    terms.splice(j, 1)
    terms.splice(i, 1)
    terms.push(result)
    path.push([i, j])
  }
  return path
}

/**
 * Operands (no repeated labels; each label of exactly one operand is in `output`) contracted to
 * the labels of `output`, in that order, pair by pair along `greedyPath`.
 */
function contractAll(
  builder: Builder,
  operands: readonly Labeled[],
  output: readonly number[],
  sizes: Sizes,
): Labeled {
  const terms = [...operands]
  const path = greedyPath(
    operands.map((t) => t.labels),
    output,
    sizes,
  )
  for (const [i, j] of path) {
    const [a, b] = [terms[i]!, terms[j]!]
    const stays = staying(
      terms.map((t) => t.labels),
      i,
      j,
      output,
    )
    terms.splice(j, 1)
    terms.splice(i, 1)
    const target = terms.length === 0 ? output : undefined
    terms.push(contractPair(builder, a, b, (l) => stays.has(l), sizes, target))
  }
  return arrange(builder, terms[0]!, output)
}

/** The program of an einsum over operands of these shapes; checks everything, throws. */
function plan(subscripts: string, shapes: readonly Shape[]): Program {
  const { inputs, output, sizes } = bindSpec(parsed(subscripts), shapes)
  const builder = new Builder(shapes)
  // a `...` axis of size 1 against a longer one is a broadcast: the operand does not vary
  // along it, so it leaves the operand (and the output gets the size from the others)
  const prepared = shapes.map((shape, i) => {
    const t = dropUnit(builder, { id: i, labels: inputs[i]! }, (l, axis) => {
      return l < 0 && shape[axis] === 1 && sizes.get(l) !== 1
    })
    return diagonals(builder, t, sizes)
  })
  // a label in one operand only and not in the output is summed before anything else
  const uses = new Map<number, number>()
  for (const t of prepared) for (const l of t.labels) uses.set(l, (uses.get(l) ?? 0) + 1)
  const reduced = prepared.map((t) =>
    sumOut(builder, t, (l) => output.includes(l) || uses.get(l)! > 1),
  )
  return builder.program(contractAll(builder, reduced, output, sizes).id)
}

const programs = new Map<string, Program>()
const PROGRAM_LIMIT = 512

/** `plan`, cached by subscripts and shapes: a loop calling einsum replays one program. */
function planned(subscripts: string, shapes: readonly Shape[]): Program {
  let key = subscripts
  for (const s of shapes) key += `|${s.join(',')}`
  const hit = programs.get(key)
  if (hit !== undefined) return hit
  const program = plan(subscripts, shapes)
  if (programs.size >= PROGRAM_LIMIT) programs.clear()
  programs.set(key, program)
  return program
}

/**
 * Einstein summation: the product of the operands summed over every label that is not in the
 * output, NumPy's `einsum` (and `jnp.einsum`).
 *
 * `subscripts` names each operand's axes with one letter per axis (`a`–`z`, `A`–`Z`), operands
 * separated by `,`, and the output after `->`. Without `->` the output is implicit: the labels
 * used exactly once, in alphabetical (char-code) order. A label written twice in one operand
 * takes a diagonal (`'ii->i'`, and `'ii'` or `'ii->'` is the trace). `...` stands for any
 * number of batch axes, which broadcast across operands as in NumPy (aligned from the right, a
 * size 1 stretching); the implicit output puts them first. Spaces are ignored. Unlike NumPy, a
 * lettered axis does not broadcast: a label's axes must all have one size (use `...`).
 *
 * Three or more operands are contracted pairwise in the order of opt_einsum's `'greedy'`
 * strategy (the pair whose result is smallest against its operands first); each pair is one
 * batched `matmul`, so `einsum('bij,bjk->bik', a, b)` costs what `matmul(a, b)` does.
 *
 * Derivative: einsum is linear in each operand, so the derivative in one operand is the einsum
 * with that operand replaced by its tangent, and its cotangent is again an einsum: for
 * `y = einsum('ij,jk->ik', A, B)`, Ā = einsum('ik,jk->ij', ȳ, B) and B̄ = einsum('ij,ik->jk',
 * A, ȳ) (diagonals transpose to zero-padded embeddings).
 *
 * Throws `InvalidArgumentError` for a malformed subscripts string (the message prints it with a
 * caret under the offending character) or an operand count that differs from the terms;
 * `ShapeError` when a term names more or fewer axes than its operand has, when a label's sizes
 * disagree (naming the label and both sizes), or when `...` axes do not broadcast.
 * @example
 * const a = tensor([[1, 2], [3, 4]])
 * einsum('ij,jk->ik', a, a).toArray() // => [[7, 10], [15, 22]]
 * einsum('ii', a).item() // => 5
 * einsum('ii->i', a).toArray() // => [1, 4]
 * einsum('ji', a).toArray() // => [[1, 3], [2, 4]]
 * einsum('...i,...i->...', a, a).toArray() // => [5, 25]
 * @category linalg
 */
export function einsum(subscripts: string, ...operands: readonly Value[]): Tensor {
  if (typeof subscripts !== 'string') {
    throw new InvalidArgumentError(
      `einsum takes the subscripts string first, got ${show(subscripts)}`,
      { primitive: 'einsum', hint: "e.g. einsum('ij,jk->ik', a, b)" },
    )
  }
  const values = operands.map((x) => (typeof x === 'number' ? reshape(x, []) : x))
  return execute(
    planned(
      subscripts,
      values.map((x) => shapeOf(x)),
    ),
    values,
  ) as Tensor
}
