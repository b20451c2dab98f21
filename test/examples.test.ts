/**
 * Every `@example` in the TSDoc of src runs as a test, so the documentation cannot drift from
 * the behaviour, and every function of fluxion/testing has one. As in the guide's code
 * blocks, `expr // => value` asserts deep equality and `expr // ≈ value` closeness; every
 * other line runs as written, with the exports of `fluxion` (and its `random`), `fluxion/nn`,
 * `fluxion/optim`, `fluxion/testing` and fast-check's `fc` in scope.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import * as fluxion from 'fluxion'
import * as nn from 'fluxion/nn'
import * as optim from 'fluxion/optim'
import * as testing from 'fluxion/testing'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import { expectClose } from './doc-helpers.ts'

const sourceFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name)
    return e.isDirectory() ? sourceFiles(path) : e.name.endsWith('.ts') ? [path] : []
  })

interface Example {
  readonly where: string
  readonly code: string
}

/** The @example blocks of a file's doc comments, as TypeScript source. */
const examplesOf = (file: string): Example[] => {
  const text = readFileSync(file, 'utf8')
  return [...text.matchAll(/\/\*\*[\s\S]*?\*\//g)].flatMap((m) => {
    const lines = m[0].split('\n').map((l) => l.replace(/^\s*\*( |$)/, ''))
    const start = lines.findIndex((l) => l.startsWith('@example'))
    if (start < 0) return []
    const rest = lines.slice(start + 1)
    const end = rest.findIndex((l) => l.startsWith('@') || l.startsWith('*/') || l.includes('*/'))
    const body = rest.slice(0, end < 0 ? rest.length : end)
    const line = text.slice(0, m.index).split('\n').length + start
    return [{ where: `${file}:${line}`, code: body.join('\n') }]
  })
}

const asserting = (line: string): string =>
  line
    .replace(/^(\s*)(.*\S)\s*\/\/ => (.*)$/, '$1expect($2).toEqual($3)')
    .replace(/^(\s*)(.*\S)\s*\/\/ ≈ (.*)$/, '$1expectClose($2, $3)')

const scope: Record<string, unknown> = {
  ...fluxion,
  ...fluxion.random,
  ...nn,
  ...optim,
  ...testing,
  nn,
  optim,
  fc,
  expect,
  expectClose,
}

/**
 * The scope of examples outside random.ts: where a name of `random` shadows one of fluxion's
 * own (`split` of keys and `split` of arrays), fluxion's own, as a user importing it would see.
 */
const mainScope: Record<string, unknown> = {
  ...scope,
  ...Object.fromEntries(
    Object.keys(fluxion.random)
      .filter((name) => name in fluxion)
      .map((name) => [name, (fluxion as Record<string, unknown>)[name]]),
  ),
}

const run = (code: string, where: string): void => {
  const js = ts.transpileModule(code.split('\n').map(asserting).join('\n'), {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
  }).outputText
  const names = where.startsWith(join('src', 'tensor', 'random.ts')) ? scope : mainScope
  new Function(...Object.keys(names), js)(...Object.values(names))
}

const examples = sourceFiles('src').flatMap(examplesOf)

/** Names declared right after a doc comment with an @example (or marked @internal). */
const documented = new Set(
  sourceFiles('src').flatMap((file) =>
    [
      ...readFileSync(file, 'utf8').matchAll(
        /\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*export (?:const|function|class) (\w+)/g,
      ),
    ].flatMap((m) => (/@example|@internal/.test(m[1]!) ? [m[2]!] : [])),
  ),
)

const entryPoints = { fluxion, random: fluxion.random, nn, optim, testing }

describe('TSDoc examples', () => {
  // error classes are documented by the guide's errors page and each error's `name`
  const isErrorClass = (v: unknown) => typeof v === 'function' && v.prototype instanceof Error
  it.each(Object.entries(entryPoints))('exist for every exported function of %s', (_, module) => {
    const names = Object.entries(module)
      .filter(([, v]) => typeof v === 'function' && (module === testing || !isErrorClass(v)))
      .map(([name]) => name)
    expect(names.filter((name) => !documented.has(name))).toEqual([])
  })
})

describe('TSDoc examples run', () => {
  it.each(examples.map((e) => [e.where, e.code] as const))('%s', (where, code) => run(code, where))
})
