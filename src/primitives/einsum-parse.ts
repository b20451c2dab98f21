/**
 * The subscripts language of `einsum`, NumPy's: terms of letters separated by `,`, an optional
 * `->` and output term, `...` standing for broadcast batch axes. Parsing depends on the string
 * only, so parsed specs are cached by string; binding a spec to operand shapes (ranks, label
 * sizes, the axes `...` covers) happens per call in `bindSpec`.
 *
 * Every error points at the offending character: the message prints the subscripts with a caret
 * under it.
 * @module
 */
import { InvalidArgumentError, ShapeError } from '../core/errors.ts'
import { broadcastShapes, type Shape } from '../tensor/shape.ts'

/** Marks `...` inside a parsed term; letters are their char codes (all ≥ 65). */
export const ELLIPSIS = -1

/** One term of the subscripts: its labels (letters as char codes, or ELLIPSIS) and where. */
export interface Term {
  readonly labels: readonly number[]
  /** Position in the subscripts string of each label (of the first `.` for ELLIPSIS). */
  readonly positions: readonly number[]
  /** Position of the term's first character (for errors about the term as a whole). */
  readonly start: number
}

/** A parsed subscripts string. */
export interface ParsedSpec {
  readonly source: string
  readonly inputs: readonly Term[]
  /** The output term: as written after `->`, or NumPy's implicit one. */
  readonly output: Term
  readonly explicit: boolean
}

/** The subscripts with a caret under position `at`, indented under the message. */
export const caret = (source: string, at: number): string =>
  `\n    ${source}\n    ${' '.repeat(Math.max(0, at))}^`

const syntaxError = (source: string, at: number, message: string, hint: string): never => {
  throw new InvalidArgumentError(
    `${message} at position ${at} of the subscripts:${caret(source, at)}`,
    {
      primitive: 'einsum',
      hint,
    },
  )
}

const isLetter = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122)

const labelName = (label: number): string =>
  label === ELLIPSIS ? '...' : String.fromCharCode(label)

/** Reads one term starting at `i`; stops at `,`, `-` or the end. Returns the term and the end. */
const readTerm = (source: string, i: number): [Term, number] => {
  const labels: number[] = []
  const positions: number[] = []
  const start = i
  let at = i
  while (at < source.length) {
    const ch = source[at]!
    const code = source.charCodeAt(at)
    if (ch === ',' || ch === '-') break
    if (ch === ' ') {
      at++
    } else if (isLetter(code)) {
      labels.push(code)
      positions.push(at)
      at++
    } else if (ch === '.') {
      if (source.slice(at, at + 3) !== '...') {
        syntaxError(source, at, "'.' outside an ellipsis '...'", 'write batch axes as three dots')
      }
      if (labels.includes(ELLIPSIS)) {
        syntaxError(source, at, "a second '...' in one term", 'use at most one ellipsis per term')
      }
      labels.push(ELLIPSIS)
      positions.push(at)
      at += 3
    } else if (ch === '>') {
      syntaxError(source, at, "'>' without '-' before it", "the output follows '->'")
    } else {
      syntaxError(
        source,
        at,
        `unexpected character ${JSON.stringify(ch)}`,
        "subscripts are letters a–z and A–Z, ',' between operands, '->' before the output, '...' for batch axes",
      )
    }
  }
  return [{ labels, positions, start }, at]
}

/** NumPy's implicit output: `...` first, then the labels used exactly once, by char code. */
const implicitOutput = (inputs: readonly Term[], at: number): Term => {
  const counts = new Map<number, number>()
  let ellipsis = false
  for (const t of inputs) {
    for (const l of t.labels) {
      if (l === ELLIPSIS) ellipsis = true
      else counts.set(l, (counts.get(l) ?? 0) + 1)
    }
  }
  const once = [...counts].flatMap(([l, n]) => (n === 1 ? [l] : [])).sort((x, y) => x - y)
  const labels = ellipsis ? [ELLIPSIS, ...once] : once
  return { labels, positions: labels.map(() => at), start: at }
}

/** Parses a subscripts string (no shapes involved). Throws `InvalidArgumentError` with a caret. */
export function parseSpec(source: string): ParsedSpec {
  const inputs: Term[] = []
  let at = 0
  for (;;) {
    const [term, end] = readTerm(source, at)
    inputs.push(term)
    at = end
    if (source[at] !== ',') break
    at++
  }
  if (at >= source.length) {
    return { source, inputs, output: implicitOutput(inputs, source.length), explicit: false }
  }
  // source[at] is '-'
  if (source[at + 1] !== '>') syntaxError(source, at, "'-' without '>' after it", "write '->'")
  const [output, end] = readTerm(source, at + 2)
  if (end < source.length) {
    const what = source[end] === ',' ? "a ','" : "a second '->'"
    syntaxError(source, end, `${what} in the output`, 'the output is one term after one arrow')
  }
  const seen = new Set<number>()
  output.labels.forEach((l, k) => {
    const pos = output.positions[k]!
    if (seen.has(l)) {
      syntaxError(
        source,
        pos,
        `output label '${labelName(l)}' repeated`,
        'name each output axis once',
      )
    }
    seen.add(l)
    if (l !== ELLIPSIS && !inputs.some((t) => t.labels.includes(l))) {
      syntaxError(
        source,
        pos,
        `output label '${labelName(l)}' is in no operand`,
        'every output label must name an axis of some operand',
      )
    }
  })
  return { source, inputs, output, explicit: true }
}

const cache = new Map<string, ParsedSpec>()
const CACHE_LIMIT = 256

/** `parseSpec`, cached by string: a training loop calls einsum with the same few specs. */
export function parsed(source: string): ParsedSpec {
  const hit = cache.get(source)
  if (hit !== undefined) return hit
  const spec = parseSpec(source)
  if (cache.size >= CACHE_LIMIT) cache.clear()
  cache.set(source, spec)
  return spec
}

/**
 * A spec bound to operand shapes: every axis has a label — letters keep their char codes, the
 * axes `...` covers get −k for the k-th from the right (so they line up right-aligned across
 * operands, NumPy's broadcasting) — and every label a size.
 */
export interface BoundSpec {
  /** Labels of each operand's axes, in axis order. */
  readonly inputs: readonly (readonly number[])[]
  /** Labels of the output axes. */
  readonly output: readonly number[]
  /** Size of each label (for `...` axes: broadcast over the operands). */
  readonly sizes: ReadonlyMap<number, number>
}

/** Binds a parsed spec to operand shapes. Throws `InvalidArgumentError` or `ShapeError`. */
export function bindSpec(spec: ParsedSpec, shapes: readonly Shape[]): BoundSpec {
  const { source } = spec
  if (shapes.length !== spec.inputs.length) {
    throw new InvalidArgumentError(
      `the subscripts ${JSON.stringify(source)} name ${spec.inputs.length} operand(s), got ${shapes.length}`,
      { primitive: 'einsum', shapes, hint: 'pass one operand per comma-separated term' },
    )
  }
  const sizes = new Map<number, number>()
  const firstSeen = new Map<number, number>()
  let batch: Shape = []
  const inputs = spec.inputs.map((term, i) => {
    const shape = shapes[i]!
    const named = term.labels.filter((l) => l !== ELLIPSIS).length
    const dots = term.labels.indexOf(ELLIPSIS)
    const covered = shape.length - named
    if (dots < 0 ? covered !== 0 : covered < 0) {
      throw new ShapeError(
        `operand ${i} has rank ${shape.length} but its term names ${named} axes${dots < 0 ? '' : " besides '...'"}:${caret(source, term.start)}`,
        {
          primitive: 'einsum',
          shapes: [shape],
          hint: "one letter per axis; '...' for any number of leading or trailing ones",
        },
      )
    }
    // each axis's label and where it is written (the '...' for the axes it covers)
    const axes = term.labels.flatMap((l, k): [number, number][] => {
      const pos = term.positions[k]!
      return l === ELLIPSIS
        ? Array.from({ length: covered }, (_, t): [number, number] => [t - covered, pos])
        : [[l, pos]]
    })
    if (dots >= 0) {
      const own = shape.slice(dots, dots + covered)
      try {
        batch = broadcastShapes(batch, own, 'einsum')
      } catch {
        throw new ShapeError(
          `the '...' axes of operand ${i}, [${own.join(', ')}], do not broadcast with the others' [${batch.join(', ')}]:${caret(source, term.positions[dots]!)}`,
          { primitive: 'einsum', shapes, hint: 'batch axes must match from the right, or be 1' },
        )
      }
    }
    axes.forEach(([l, pos], axis) => {
      if (l < 0) return
      const n = shape[axis]!
      const before = sizes.get(l)
      if (before === undefined) {
        sizes.set(l, n)
        firstSeen.set(l, i)
      } else if (before !== n) {
        const other = firstSeen.get(l)!
        const where =
          other === i
            ? `sizes ${before} and ${n} in operand ${i}`
            : `size ${n} in operand ${i} but size ${before} in operand ${other}`
        throw new ShapeError(`label '${labelName(l)}' has ${where}:${caret(source, pos)}`, {
          primitive: 'einsum',
          shapes,
          hint: "a label's axes must have one size; broadcast batch axes with '...'",
        })
      }
    })
    return axes.map(([l]) => l)
  })
  batch.forEach((n, k) => {
    sizes.set(k - batch.length, n)
  })
  const dotsOut = spec.output.labels.indexOf(ELLIPSIS)
  if (dotsOut < 0 && batch.length > 0) {
    const at = spec.explicit ? spec.output.start : source.length
    throw new ShapeError(
      `the '...' of the operands covers ${batch.length} axis(es) but the output has no '...':${caret(source, at)}`,
      {
        primitive: 'einsum',
        shapes,
        hint: "write '...' in the output too (sum batch axes afterwards if that is the intent)",
      },
    )
  }
  const output = spec.output.labels.flatMap((l) =>
    l === ELLIPSIS ? batch.map((_, k) => k - batch.length) : [l],
  )
  return { inputs, output, sizes }
}
