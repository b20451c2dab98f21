/**
 * Turns every ```ts code block of README.md and docs/**\/*.md (except docs/api) into a vitest
 * test under test/doc-snippets/, one file per block, so documentation that stops being true
 * fails `npm test`. Inside a block, `expr // => value` asserts deep equality and
 * `expr // ≈ value` asserts closeness (1e-9 relative); every other line runs as written.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'

const out = 'test/doc-snippets'

const markdownFiles = (dir: string): string[] =>
  !existsSync(dir)
    ? []
    : readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const path = join(dir, e.name)
        if (e.isDirectory()) return e.name === 'api' ? [] : markdownFiles(path)
        return e.name.endsWith('.md') ? [path] : []
      })

const assertion = (line: string): string =>
  line
    .replace(/^(\s*)(.*\S)\s*\/\/ => (.*)$/, '$1expect($2).toEqual($3)')
    .replace(/^(\s*)(.*\S)\s*\/\/ ≈ (.*)$/, '$1expectClose($2, $3)')

/** Import statements (possibly spanning lines) moved to the top; the rest is the test body. */
const splitImports = (lines: readonly string[]): { imports: string[]; body: string[] } => {
  const imports: string[] = []
  const body: string[] = []
  let open = false
  for (const l of lines) {
    if (open || l.startsWith('import ')) {
      imports.push(l)
      open = !/from\s+['"][^'"]+['"]/.test(l) && !/^import\s+['"]/.test(l)
    } else {
      body.push(assertion(l))
    }
  }
  return { imports, body }
}

/** Writes the tests (run from the repository root) and returns how many code blocks there are. */
export function writeSnippets(): number {
  rmSync(out, { recursive: true, force: true })
  mkdirSync(out, { recursive: true })
  let count = 0
  for (const file of [
    ...(existsSync('README.md') ? ['README.md'] : []),
    ...markdownFiles('docs'),
  ]) {
    const text = readFileSync(file, 'utf8')
    for (const m of text.matchAll(/^```ts\n([\s\S]*?)^```/gm)) {
      const line = text.slice(0, m.index).split('\n').length
      const { imports, body } = splitImports(m[1]!.split('\n'))
      const name = `${relative('.', file).replace(/[\\/]/g, '__').replace(/\.md$/, '')}__L${line}`
      writeFileSync(
        join(out, `${name}.test.ts`),
        [
          `// generated from ${file}:${line} by scripts/doc-snippets.ts; do not edit`,
          "import { expect, test } from 'vitest'",
          "import { expectClose } from '../doc-helpers.ts'",
          ...imports,
          '',
          `test(${JSON.stringify(`${file}:${line}`)}, () => {`,
          ...body.map((l) => (l === '' ? l : `  ${l}`)),
          '})',
          '',
        ].join('\n'),
      )
      count++
    }
  }
  return count
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === import.meta.filename) {
  console.log(`doc-snippets: ${writeSnippets()} code blocks → ${out}/`)
}
