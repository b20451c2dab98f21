/**
 * `npm run build` (and `prepack`, so `npm pack` and `npm publish` always ship it): compiles src/
 * into dist/ — one `.js`, `.d.ts` and their maps per source file — with tsconfig.build.json,
 * then makes dist/ fit to publish:
 *
 * - relative imports in the `.d.ts` files end in `.js`, as in the `.js` files: tsc keeps the
 *   `.ts` extensions of our sources there (`rewriteRelativeImportExtensions` rewrites only the
 *   JavaScript), and a `.ts` path in a published declaration file names a file that is not in
 *   dist/ and that older TypeScript versions and other declaration tools reject;
 * - files left in dist/ by an earlier build whose source file is gone are deleted, so a removed
 *   module cannot ship.
 *
 * The source and declaration maps point into src/, which ships too (package.json `files`).
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')
const dist = join(root, 'dist')
const src = join(root, 'src')

const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)],
  )

/** A relative module specifier ending in `.ts`, in `from '…'`, `import('…')` or `import '…'`. */
const tsSpecifier = /((?:\bfrom|\bimport)\s*\(?\s*)(['"])(\.{1,2}\/[^'"\n]*?)\.ts\2/g

/** Thrown when tsc reports errors (it has printed them); dist/ is then not fit to ship. */
export class BuildError extends Error {}

export function build(): { files: number; rewritten: number; removed: string[] } {
  try {
    execFileSync(
      process.execPath,
      [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
      { cwd: root, stdio: 'inherit' },
    )
  } catch {
    throw new BuildError('build: tsc -p tsconfig.build.json failed (errors above)')
  }
  let rewritten = 0
  const removed: string[] = []
  const emitted = files(dist)
  for (const file of emitted) {
    const rel = relative(dist, file)
    const stem = rel.replace(/(\.d\.ts|\.js)(\.map)?$/, '')
    if (stem === rel || !existsSync(join(src, `${stem}.ts`))) {
      rmSync(file)
      removed.push(rel)
      continue
    }
    if (!file.endsWith('.d.ts')) continue
    const text = readFileSync(file, 'utf8')
    // same length (.ts → .js), so the declaration maps stay exact
    const fixed = text.replace(tsSpecifier, (_m, head: string, q: string, path: string) => {
      rewritten++
      return `${head}${q}${path}.js${q}`
    })
    if (fixed !== text) writeFileSync(file, fixed)
  }
  // directories emptied by the clean-up
  const prune = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) prune(join(dir, e.name))
    }
    if (dir !== dist && readdirSync(dir).length === 0) rmdirSync(dir)
  }
  prune(dist)
  return { files: emitted.length - removed.length, rewritten, removed }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === import.meta.filename) {
  const started = performance.now()
  let result: ReturnType<typeof build>
  try {
    result = build()
  } catch (e) {
    console.error(e instanceof BuildError ? e.message : e)
    process.exit(1)
  }
  const { files: n, rewritten, removed } = result
  const stale =
    removed.length === 0 ? '' : `, removed ${removed.length} stale (${removed.join(', ')})`
  console.log(
    `build: ${n} files in dist/ (${rewritten} .d.ts imports .ts → .js${stale}) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  )
}
