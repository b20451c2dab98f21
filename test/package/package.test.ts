/**
 * The package as a user installs it: `npm pack` (whose `prepack` builds dist/), then a fresh
 * project in a temporary directory (`"type": "module"`) installs the tarball with npm, offline,
 * beside fast-check and @types/node, type-checks test/package/consumer/ against the shipped
 * `.d.ts` (strict, NodeNext, no path aliases, skipLibCheck off), compiles it and runs it with
 * plain node — ESM and CommonJS — comparing the numbers it prints with exact maths.
 *
 * Offline: third-party packages come from the npm cache, which `npm ci` fills. npm finds them by
 * the versions and integrity hashes of our package-lock.json, copied into the consumer's lock.
 */
import { execFileSync } from 'node:child_process'
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'

const root = resolve(import.meta.dirname, '../..')
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string
  main: string
  types: string
  dependencies: Record<string, string>
  peerDependencies: Record<string, string>
  exports: Record<string, string | Record<string, string>>
}
type LockEntry = {
  version?: string
  dependencies?: Record<string, string>
  optionalDependencies?: Record<string, string>
  [key: string]: unknown
}
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, LockEntry>
}

/** The environment of a user's shell: none of the npm, vitest or tsx settings of this run. */
const env = Object.fromEntries(
  Object.entries(process.env).filter(
    ([k]) =>
      !/^(npm_|VITEST|TSX|NODE_OPTIONS$|NODE_ENV$|TEST$)/i.test(k) || k === 'npm_config_cache',
  ),
)

/** Runs a command; on failure, throws with its output so the test report shows what happened. */
function run(command: string, args: readonly string[], cwd: string): string {
  try {
    return execFileSync(command, args, { cwd, env, encoding: 'utf8', stdio: 'pipe' })
  } catch (e) {
    const { stdout, stderr, status } = e as { stdout?: string; stderr?: string; status?: number }
    throw new Error(
      `\`${[command, ...args].join(' ')}\` in ${cwd} exited with ${status}\n${stdout ?? ''}${stderr ?? ''}`,
    )
  }
}

/** package-lock.json entries of `names` and everything they depend on, as our lockfile has them. */
function lockClosure(names: readonly string[]): Record<string, LockEntry> {
  const out: Record<string, LockEntry> = {}
  const visit = (name: string, from: string): void => {
    const nested = `${from}/node_modules/${name}`
    const path =
      from !== '' && lock.packages[nested] !== undefined ? nested : `node_modules/${name}`
    const entry = lock.packages[path]
    if (entry === undefined) throw new Error(`package-lock.json has no ${name}: run npm install`)
    if (out[path] !== undefined) return
    const { dev: _d, devOptional: _o, peer: _p, ...kept } = entry
    out[path] = kept
    for (const d of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies })) {
      visit(d, path)
    }
  }
  for (const n of names) visit(n, '')
  return out
}

const versionOf = (name: string): string => {
  const v = lock.packages[`node_modules/${name}`]?.version
  if (v === undefined) throw new Error(`package-lock.json has no ${name}`)
  return v
}

let work = ''
let app = ''
let installed = ''

beforeAll(() => {
  // directories of runs stopped before afterAll (npm test stops the tests when a check fails)
  for (const d of readdirSync(tmpdir()).filter((d) => d.startsWith('fluxion-package-'))) {
    const path = join(tmpdir(), d)
    if (Date.now() - statSync(path).mtimeMs > 3_600_000)
      rmSync(path, { recursive: true, force: true })
  }
  work = mkdtempSync(join(tmpdir(), 'fluxion-package-'))
  run('npm', ['pack', '--silent', '--pack-destination', work], root)
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'))
  if (tarball === undefined) throw new Error(`npm pack wrote no tarball into ${work}`)

  app = join(work, 'app')
  mkdirSync(app)
  cpSync(join(import.meta.dirname, 'consumer'), app, { recursive: true })
  const dependencies = {
    '@types/node': versionOf('@types/node'),
    'fast-check': versionOf('fast-check'),
  }
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies }, null, 2),
  )
  const packages = lockClosure([
    ...Object.keys(dependencies),
    ...Object.keys(manifest.dependencies),
  ])
  writeFileSync(
    join(app, 'package-lock.json'),
    JSON.stringify(
      {
        name: 'consumer',
        lockfileVersion: 3,
        requires: true,
        packages: { '': { name: 'consumer', dependencies }, ...packages },
      },
      null,
      2,
    ),
  )
  try {
    run('npm', ['install', '--offline', '--no-audit', '--no-fund', join(work, tarball)], app)
  } catch (e) {
    const hint = String(e).includes('ENOTCACHED')
      ? '\n(the npm cache lacks a package of package-lock.json: `npm ci` fills it)'
      : ''
    throw new Error(`${String(e)}${hint}`)
  }
  installed = join(app, 'node_modules', manifest.name)
}, 240_000)

afterAll(() => {
  if (work !== '' && process.env.KEEP_PACKAGE_TEST === undefined) {
    rmSync(work, { recursive: true, force: true })
  }
})

const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)],
  )

/** The module specifiers a .js or .d.ts file imports or re-exports (not those in comments). */
const specifiers = (file: string): string[] =>
  [
    ...readFileSync(file, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, '')
      .matchAll(
        /(?:^|[\s;}])(?:import|export)\b[^'"]*?\bfrom\s*(['"])([^'"]+)\1|\bimport\s*\(\s*(['"])([^'"]+)\3\s*\)|^import\s+(['"])([^'"]+)\5/gm,
      ),
  ].map((m) => m[2] ?? m[4] ?? m[6]!)

/** The packages outside fluxion that an entry point reaches through its imports. */
function externalImports(entry: string): Set<string> {
  const seen = new Set<string>()
  const external = new Set<string>()
  const visit = (file: string): void => {
    if (seen.has(file)) return
    seen.add(file)
    for (const s of specifiers(file)) {
      if (s.startsWith('.')) visit(resolve(dirname(file), s))
      else external.add(s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]!)
    }
  }
  visit(join(installed, entry))
  return external
}

describe('the package as a user installs it (npm pack, npm install, tsc, node)', () => {
  test('the tarball holds dist/ — JavaScript and .d.ts for every entry point — src/ and nothing else', () => {
    const top = readdirSync(installed).sort()
    expect(top.filter((f) => !/^(LICENSE|README)/i.test(f))).toEqual([
      'dist',
      'package.json',
      'src',
    ])
    for (const file of [manifest.main, manifest.types]) {
      expect(existsSync(join(installed, file)), file).toBe(true)
    }
    for (const [subpath, target] of Object.entries(manifest.exports)) {
      const targets = typeof target === 'string' ? [target] : Object.values(target)
      for (const t of targets)
        expect(existsSync(join(installed, t)), `${subpath} → ${t}`).toBe(true)
    }
    const files = filesUnder(installed).map((f) => relative(installed, f))
    expect(files.filter((f) => /\.test(-d)?\.ts$/.test(f))).toEqual([])
    // every source file has its JavaScript and declarations
    for (const f of files.filter((f) => f.startsWith('src/') && f.endsWith('.ts'))) {
      const stem = f.slice('src/'.length, -'.ts'.length)
      expect(files, f).toContain(`dist/${stem}.js`)
      expect(files, f).toContain(`dist/${stem}.d.ts`)
    }
  })

  test('the shipped .d.ts import .js files, as the .js do: no path to a .ts source', () => {
    const declarations = filesUnder(join(installed, 'dist')).filter((f) => f.endsWith('.d.ts'))
    expect(declarations.length).toBeGreaterThan(0)
    const toTs = declarations.flatMap((f) =>
      specifiers(f)
        .filter((s) => s.startsWith('.') && !s.endsWith('.js'))
        .map((s) => `${relative(installed, f)}: ${s}`),
    )
    expect(toTs).toEqual([])
  })

  test('fluxion, fluxion/linalg, fluxion/nn, fluxion/optim and fluxion/stats need only the dependencies; fast-check only for fluxion/testing', () => {
    const deps = Object.keys(manifest.dependencies)
    for (const entry of ['.', './linalg', './nn', './optim', './stats']) {
      const target = manifest.exports[entry] as Record<string, string>
      for (const file of [target.default!, target.types!]) {
        expect(
          [...externalImports(file)].filter((p) => !deps.includes(p)),
          file,
        ).toEqual([])
      }
    }
    const testing = manifest.exports['./testing'] as Record<string, string>
    const allowed = [...deps, ...Object.keys(manifest.peerDependencies)]
    expect([...externalImports(testing.default!)].filter((p) => !allowed.includes(p))).toEqual([])
    expect(externalImports(testing.default!)).toContain('fast-check')
  })

  test('a strict NodeNext TypeScript project type-checks against the shipped .d.ts and compiles', () => {
    // the repository's TypeScript; the project has no paths, so it sees only node_modules/fluxion
    run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', '.'], app)
    expect(existsSync(join(app, 'build/main.js'))).toBe(true)
  })

  test('plain node runs the ESM program: the numbers are exact', () => {
    const printed = JSON.parse(run(process.execPath, ['build/main.js'], app)) as Record<
      string,
      unknown
    >
    expect(printed).toEqual({
      grad: 12, // (x³)' = 3x² at 2
      gradOfGrad: 12, // 6x at 2
      gradXSinX: expect.closeTo(Math.sin(2) + 2 * Math.cos(2), 15),
      jvp: [1, 2], // e^{2x} and 2e^{2x} at 0
      vjp: [14, [2, 4, 6]], // ‖v‖² and 2v
      // x·sum(x) at [1, 2, 3]: J_ij = [i = j]·6 + x_i
      jacrev: [
        [7, 1, 1],
        [2, 8, 2],
        [3, 3, 9],
      ],
      jit: 27, // 3x² at 3
      relu: [0, 2],
      softmax: [0.5, 0.5],
      mse: 2, // (0² + 2²) / 2
      mseGrad: [0, -2], // 2(p − t)/n
      sgd: [0, 0], // w − 0.5·2w
      propertyRuns: 50,
      typed: 'number',
    })
  })

  test("CommonJS: require('fluxion') works on Node with require(esm) (20.19+, 22.12+), else a clear error", () => {
    if (process.features.require_module === true) {
      expect(JSON.parse(run(process.execPath, ['build/require.cjs'], app))).toEqual({
        gradOfGrad: 12,
        sgd: 'function',
      })
    } else {
      expect(() => run(process.execPath, ['build/require.cjs'], app)).toThrow(/ERR_REQUIRE_ESM/)
    }
  })
})
