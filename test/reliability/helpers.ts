/**
 * Shared pieces of the reliability suites: hostile values to throw at the public API, and the
 * assertion that a call fails with one particular named error (and nothing else).
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import {
  add,
  checkpoint,
  customJvp,
  FluxionError,
  grad,
  hessian,
  hvp,
  jacfwd,
  jacrev,
  jit,
  jvp,
  linearize,
  linearizeWithAux,
  mul,
  ravel,
  saveParams,
  saveParamsBinary,
  sum,
  type Tensor,
  tensor,
  treeAdd,
  treeDot,
  treeFlatten,
  treeLeaves,
  treeMap,
  treeNorm,
  treeReduce,
  treeScale,
  treeSub,
  valueAndGrad,
  vjp,
  vjpWithAux,
  vmap,
} from 'fluxion'
import { expect } from 'vitest'

/** A named error class, as `expectNamed` takes it. */
export type ErrorClass = abstract new (...args: never[]) => FluxionError

/**
 * Runs `run` and asserts that it throws an instance of `cls` (a `FluxionError`, an `Error`) with
 * a fix hint; returns the error. Anything else — no throw, a `TypeError`, a `RangeError` — fails
 * with the offending value in the message.
 */
export function expectNamed(run: () => unknown, cls: ErrorClass, what = ''): FluxionError {
  let caught: unknown
  let returned: unknown
  try {
    returned = run()
  } catch (e) {
    caught = e
  }
  if (caught === undefined) {
    expect.fail(`${what}: expected ${cls.name}, but it returned ${label(returned)}`)
  }
  if (!(caught instanceof cls)) {
    const name = caught instanceof Error ? caught.constructor.name : typeof caught
    const message = caught instanceof Error ? caught.message.split('\n')[0] : String(caught)
    expect.fail(`${what}: expected ${cls.name}, got ${name}: ${message}`)
  }
  const e = caught as FluxionError
  expect(e).toBeInstanceOf(FluxionError)
  expect(e).toBeInstanceOf(Error)
  expect(e.name).toBe(cls.name)
  expect(e.hint, `${what}: a fix hint`).toMatch(/\S/)
  return e
}

/** A short, never-throwing description of any value, for failure messages. */
export function label(v: unknown): string {
  if (typeof v === 'symbol' || typeof v === 'bigint') return `${typeof v} ${String(v)}`
  if (typeof v === 'function') return 'a function'
  if (Array.isArray(v)) return `[${v.map(label).join(', ')}]`
  if (typeof v === 'object' && v !== null) {
    const proto: unknown = Object.getPrototypeOf(v)
    if (proto === null) return 'a null-prototype object'
    return `a ${Object.prototype.toString.call(v).slice(8, -1)}`
  }
  return String(v)
}

class Opaque {
  readonly w = 1
}

/**
 * Values that are neither a number nor a Tensor: what a caller might pass by mistake (or on
 * purpose). Each is a `[label, value]` pair, for `it.each`-style tables.
 */
export const nonValues: readonly (readonly [string, unknown])[] = [
  ['a string', 'a'],
  ['a numeric string', '2'],
  ['true', true],
  ['null', null],
  ['undefined', undefined],
  ['a plain array', [1, 2]],
  ['an empty object', {}],
  ['a Date', new Date(0)],
  ['a Map', new Map([['w', 1]])],
  ['a Set', new Set([1])],
  ['a class instance', new Opaque()],
  ['a function', () => 1],
  ['a bigint', 1n],
  ['a symbol', Symbol('s')],
  ['a Float64Array', Float64Array.of(1, 2)],
  ['a null-prototype object', Object.create(null) as object],
  ['a tensor lookalike', { shape: [2], data: Float64Array.of(1, 2) }],
]

/**
 * Leaves that no tree may hold (the Promise is settled, so nothing is left pending). Arrays and
 * plain objects (null-prototype ones too) are tree nodes; `null` and `undefined` are empty
 * subtrees, as `None` is in JAX.
 */
export const nonLeaves: readonly (readonly [string, unknown])[] = [
  ...nonValues.filter(
    ([label]) =>
      ![
        'a plain array',
        'an empty object',
        'a null-prototype object',
        'null',
        'undefined',
      ].includes(label),
  ),
  ['a Promise', Promise.resolve(1)],
  ['a WeakMap', new WeakMap()],
  ['an Error', new Error('x')],
]

/** A rank-2 tensor for ops whose other arguments are under test. */
export const matrix = () =>
  tensor([
    [1, 2],
    [3, 4],
  ])

/** The repository root, where `tsx` and the source condition resolve. */
export const root = resolve(import.meta.dirname, '../..')

/** fluxion's source entry as a URL, for scripts written outside the repository. */
export const fluxionUrl = pathToFileURL(join(root, 'src/index.ts')).href

/**
 * A directory in the OS temp dir for child-process scripts; `dispose` removes it (call it from
 * `afterAll`).
 */
export function scratchDir(prefix: string): { dir: string; dispose: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) }
}

/**
 * Writes `body` (an ES module that imports `fluxionUrl`) to `dir/name.ts`, runs it in a fresh
 * Node with `flags` (and tsx, and the source condition), and parses the last line it prints as
 * JSON. Throws with the child's output if it fails.
 */
export function runChild<T>(dir: string, name: string, body: string, flags: readonly string[]): T {
  const script = join(dir, `${name}.ts`)
  writeFileSync(script, body)
  const result = spawnSync(
    process.execPath,
    [...flags, '--import', 'tsx', '--conditions', '@fluxion/source', script],
    { cwd: root, encoding: 'utf8', timeout: 120_000 },
  )
  if (result.status !== 0) {
    throw new Error(`child ${name} failed (${result.status}): ${result.stderr}${result.stdout}`)
  }
  const last = result.stdout.trim().split('\n').pop() ?? ''
  return JSON.parse(last) as T
}

/** A scalar function of any tree: the sum of squares of its leaves. */
export const sumOfSquares = (tree: unknown): number | Tensor =>
  treeLeaves(tree).reduce<number | Tensor>((acc, leaf) => add(acc, sum(mul(leaf, leaf))), 0)

/**
 * Every transformation and tree utility applied to one tree argument: what the boundary suites
 * throw hostile trees at.
 */
export const transformations: readonly (readonly [string, (tree: unknown) => unknown])[] = [
  ['grad', (x) => grad(sumOfSquares)(x)],
  ['valueAndGrad', (x) => valueAndGrad(sumOfSquares)(x)],
  ['jvp', (x) => jvp(sumOfSquares, [x], [x])],
  ['vjp', (x) => vjp(sumOfSquares, x)],
  ['vjpWithAux', (x) => vjpWithAux((y: unknown) => [sumOfSquares(y), 0] as const, x)],
  ['linearize', (x) => linearize(sumOfSquares, x)],
  ['linearizeWithAux', (x) => linearizeWithAux((y: unknown) => [sumOfSquares(y), 0] as const, x)],
  ['jacfwd', (x) => jacfwd(sumOfSquares)(x)],
  ['jacrev', (x) => jacrev(sumOfSquares)(x)],
  ['hessian', (x) => hessian(sumOfSquares)(x)],
  ['hvp', (x) => hvp(sumOfSquares)(x, x)],
  ['vmap', (x) => vmap(sumOfSquares)(x)],
  ['jit', (x) => jit(sumOfSquares)(x)],
  ['checkpoint', (x) => grad(checkpoint(sumOfSquares))(x)],
  [
    'customJvp',
    (x) => grad(customJvp(sumOfSquares, (p, d) => [sumOfSquares(p), mul(0, sumOfSquares(d))]))(x),
  ],
  ['treeMap', (x) => treeMap((l) => l, x)],
  ['treeFlatten', (x) => treeFlatten(x)],
  ['treeReduce', (x) => treeReduce((acc: number | Tensor, l) => add(acc, sum(l)), x, 0)],
  ['treeAdd', (x) => treeAdd(x, x)],
  ['treeSub', (x) => treeSub(x, x)],
  ['treeScale', (x) => treeScale(2, x)],
  ['treeDot', (x) => treeDot(x, x)],
  ['treeNorm', (x) => treeNorm(x)],
  ['ravel', (x) => ravel(x)],
  ['saveParams', (x) => saveParams(x)],
  ['saveParamsBinary', (x) => saveParamsBinary(x)],
]
