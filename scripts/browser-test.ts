/**
 * The built ESM package in a real browser: builds dist/ (scripts/build.ts, as `npm pack` does),
 * serves it from 127.0.0.1, loads it in headless Chromium (Debian's, driven by playwright-core;
 * no browser download) and computes grad(grad(f)), Jacobians and a jitted Jacobian there, and a
 * 64×48·48×40 product big enough for the WebAssembly SIMD kernel (checked to run, and to give the
 * JavaScript kernel's bits); then, on a page whose Content-Security-Policy forbids WebAssembly,
 * that the product falls back to the JavaScript kernel with the same numbers. Also `jit`'s fused
 * loops and the sums run in WebAssembly there (with the JavaScript bits), and in JavaScript
 * under the CSP. Exits
 * nonzero on a wrong value, a page error, a console error or a file the page asked for that
 * isn't there (an import that doesn't resolve).
 *
 * Run: `npm run test:browser`. CHROMIUM_PATH overrides the browser (default /usr/bin/chromium).
 */
import { existsSync, readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize, resolve, sep } from 'node:path'
import { chromium } from 'playwright-core'
import { BuildError, build } from './build.ts'

const root = resolve(import.meta.dirname, '..')
const dist = join(root, 'dist')
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

const fail = (message: string): never => {
  console.error(`browser: FAIL: ${message}`)
  process.exit(1)
}

if (!existsSync(executablePath)) {
  fail(`no browser at ${executablePath}: apt-get install -y --no-install-recommends chromium`)
}

// Always build, as `npm pack` does: tsc takes seconds, and a stale dist/ would test the wrong code.
try {
  build()
} catch (e) {
  fail(e instanceof BuildError ? e.message : String(e))
}

// A product in the WebAssembly kernel's range, with the backend that ran and the JavaScript
// kernel's result (the kernel switch is internal: loaded from the module 'fluxion' uses).
const matmulProbe = `
async function matmulProbe() {
  const { matmul, tensor } = await import('./index.js')
  const select = await import('./tensor/kernels/gemm-select.js')
  const [m, k, n] = [64, 48, 40]
  const a = tensor(Float64Array.from({ length: m * k }, (_, i) => Math.sin(i)), [m, k])
  const b = tensor(Float64Array.from({ length: k * n }, (_, i) => Math.cos(i)), [k, n])
  const backend = select.gemmBackend(m * n * k).name
  const fast = [...matmul(a, b).data]
  select.setWasmKernels(false)
  const plain = [...matmul(a, b).data]
  select.setWasmKernels(true)
  // the naive sum in order p = 0 … k-1, which both kernels reproduce bit for bit
  const naive = []
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let s = 0
    for (let p = 0; p < k; p++) s += a.data[i * k + p] * b.data[p * n + j]
    naive.push(s)
  }
  const same = (x, y) => x.length === y.length && x.every((v, i) => Object.is(v, y[i]))
  // float32: the f32x4 kernel and its fallback both compute IEEE float32 step by step
  const a32 = tensor(a.data, [m, k], { dtype: 'float32' })
  const b32 = tensor(b.data, [k, n], { dtype: 'float32' })
  const backend32 = select.gemmBackendF32(m * n * k).name
  const fast32 = [...matmul(a32, b32).data]
  select.setWasmKernels(false)
  const plain32 = [...matmul(a32, b32).data]
  select.setWasmKernels(true)
  const naive32 = []
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let s = 0
    for (let p = 0; p < k; p++) s = Math.fround(s + Math.fround(a32.data[i * k + p] * b32.data[p * n + j]))
    naive32.push(s)
  }
  return {
    backend, agree: same(fast, plain), exact: same(fast, naive),
    backend32, agree32: same(fast32, plain32), exact32: same(fast32, naive32),
    dtype32: matmul(a32, b32).dtype,
  }
}
`

// jit's fused loops and the reductions in WebAssembly: a jitted 4096-element chain and a
// 10⁴-element sum, with wasm on and off; how many loop runs went to wasm, and whether the
// reductions' module is available.
const kernelProbe = `
async function kernelProbe() {
  const { add, jit, mul, sum, tensor } = await import('./index.js')
  const select = await import('./tensor/kernels/gemm-select.js')
  const loops = await import('./jit/emit/wasm/step.js')
  const reduce = await import('./tensor/kernels/wasm/reduce-wasm.js')
  const x = tensor(Float64Array.from({ length: 4096 }, (_, i) => Math.sin(i) * 3))
  const y = tensor(Float64Array.from({ length: 10000 }, (_, i) => Math.cos(i) / (i + 1)))
  const f = (v) => mul(add(mul(v, v), 1.5), v)
  const runsBefore = loops.wasmLoopStats.runs
  const fast = jit(f)
  fast(x)
  const loopFast = [...fast(x).data]
  const loopRuns = loops.wasmLoopStats.runs - runsBefore
  const sumFast = sum(y).item()
  const reduceOn = reduce.reduceWasm(y.size) !== null
  select.setWasmKernels(false)
  const plain = jit(f)
  plain(x)
  const loopPlain = [...plain(x).data]
  const sumPlain = sum(y).item()
  select.setWasmKernels(true)
  const eager = [...f(x).data]
  const same = (a, b) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]))
  return {
    loopRuns, loopsAgree: same(loopFast, loopPlain) && same(loopFast, eager),
    reduceOn, sumsAgree: Object.is(sumFast, sumPlain),
  }
}
`

// The page: imports the entry points by URL and writes what it computed to window.__result.
const page = `<!doctype html>
<meta charset="utf-8">
<title>fluxion in the browser</title>
<script type="module">
${matmulProbe}
${kernelProbe}
try {
  const { grad, jacfwd, jacrev, jit, mul, sum, tensor, Tensor } = await import('./index.js')
  // The other browser-safe entry points must resolve too (./testing needs fast-check).
  await import('./linalg/index.js')
  await import('./nn/index.js')
  await import('./optim/index.js')
  await import('./stats/index.js')
  const cube = (x) => mul(x, mul(x, x))
  const d2 = grad(grad(cube))(2)
  // f(x)_i = x_i * sum(x): J_ij = [i = j] * sum(x) + x_i
  const f = (x) => mul(x, sum(x))
  const x = tensor([1, 2, 3])
  const jf = jacfwd(f)(x)
  const jr = jacrev(f)(x)
  // jit generates code with new Function: traced on the first call, replayed on the second
  const jj = jit(jacrev(f))
  jj(x)
  const jjr = jj(x)
  const out = (t) => (t instanceof Tensor ? { shape: [...t.shape], data: [...t.data] } : String(t))
  const product = await matmulProbe()
  const kernels = await kernelProbe()
  window.__result = { d2, jacfwd: out(jf), jacrev: out(jr), jit: out(jjr), product, kernels }
} catch (e) {
  window.__result = { error: String(e && e.stack ? e.stack : e) }
}
</script>
`

// Served with a Content-Security-Policy that allows scripts but not WebAssembly (no
// 'wasm-unsafe-eval'): compiling the kernel throws, and the JavaScript kernel must run.
const csp = "script-src 'self' 'unsafe-inline'"
const cspPage = `<!doctype html>
<meta charset="utf-8">
<title>fluxion without WebAssembly</title>
<script type="module">
${matmulProbe}
${kernelProbe}
// reported on the console: the test cannot evaluate code in a page whose CSP forbids eval
try {
  const product = await matmulProbe()
  console.info('__result ' + JSON.stringify({ product, kernels: await kernelProbe() }))
} catch (e) {
  console.info('__result ' + JSON.stringify({ error: String(e && e.stack ? e.stack : e) }))
}
</script>
`

const types: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
}
const missing: string[] = []
const server = createServer((req, res) => {
  const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)
  if (path === '/' || path === '/index.html') {
    res.writeHead(200, { 'content-type': types['.html']! })
    res.end(page)
    return
  }
  if (path === '/csp.html') {
    res.writeHead(200, { 'content-type': types['.html']!, 'content-security-policy': csp })
    res.end(cspPage)
    return
  }
  if (path === '/favicon.ico') {
    res.writeHead(204).end()
    return
  }
  const file = normalize(join(dist, path))
  if (!file.startsWith(dist + sep) || !existsSync(file)) {
    missing.push(path)
    res.writeHead(404).end()
    return
  }
  res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' })
  res.end(readFileSync(file))
})
await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
const { port } = server.address() as AddressInfo

const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
})
const errors: string[] = []
let result: unknown
let cspResult: unknown
let version = ''
try {
  const tab = await browser.newPage()
  tab.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`))
  tab.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console.error: ${m.text()}`)
  })
  await tab.goto(`http://127.0.0.1:${port}/`)
  await tab.waitForFunction("'__result' in window", undefined, { timeout: 30_000 })
  result = await tab.evaluate('window.__result')
  // the CSP page: Chromium reports the refused compile as a console error, which is expected
  const strict = await browser.newPage()
  strict.on('pageerror', (e) => errors.push(`csp page: pageerror: ${e.message}`))
  const reported = strict.waitForEvent('console', {
    predicate: (m) => m.text().startsWith('__result '),
    timeout: 30_000,
  })
  await strict.goto(`http://127.0.0.1:${port}/csp.html`)
  cspResult = JSON.parse((await reported).text().slice('__result '.length))
} finally {
  version = browser.version()
  await browser.close()
  server.close()
}

// Expected values by hand. (x³)'' = 6x: 12 at 2. For f(x) = x·sum(x) at x = [1, 2, 3], sum 6:
const expectedD2 = 12
const expectedJacobian = { shape: [3, 3], data: [7, 1, 1, 2, 8, 2, 3, 3, 9] }
const close = (a: number, b: number) => Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b))

function checkJacobian(name: string, got: unknown): void {
  const j = got as { shape?: number[]; data?: number[] }
  if (JSON.stringify(j.shape) !== JSON.stringify(expectedJacobian.shape)) {
    fail(`${name} shape ${JSON.stringify(j.shape)}, expected [3,3]`)
  }
  if (!j.data?.every((v, i) => close(v, expectedJacobian.data[i]!))) {
    fail(`${name} = ${JSON.stringify(j.data)}, expected ${JSON.stringify(expectedJacobian.data)}`)
  }
}

if (missing.length > 0) fail(`the page asked for files dist/ lacks: ${missing.join(', ')}`)
if (errors.length > 0) fail(errors.join('\n'))
const r = result as {
  error?: string
  d2?: unknown
  jacfwd?: unknown
  jacrev?: unknown
  jit?: unknown
  product?: {
    backend: string
    agree: boolean
    exact: boolean
    backend32: string
    agree32: boolean
    exact32: boolean
    dtype32: string
  }
  kernels?: Kernels
}
/** What `kernelProbe` reports. */
interface Kernels {
  loopRuns: number
  loopsAgree: boolean
  reduceOn: boolean
  sumsAgree: boolean
}
if (r.error !== undefined) fail(`the page threw: ${r.error}`)
if (typeof r.d2 !== 'number' || !close(r.d2, expectedD2)) {
  fail(`grad(grad(x => x³))(2) = ${String(r.d2)}, expected ${expectedD2}`)
}
checkJacobian('jacfwd', r.jacfwd)
checkJacobian('jacrev', r.jacrev)
checkJacobian('jit(jacrev)', r.jit)
const p = r.product ?? fail('the page computed no product')
if (p.backend !== 'wasm-simd128') fail(`matmul ran on ${p.backend}, expected wasm-simd128`)
if (!p.agree || !p.exact) fail('the WebAssembly matmul differs from the JavaScript kernel')
if (p.backend32 !== 'wasm-simd128-f32') {
  fail(`float32 matmul ran on ${p.backend32}, expected wasm-simd128-f32`)
}
if (!p.agree32 || !p.exact32 || p.dtype32 !== 'float32') {
  fail('the float32 WebAssembly matmul differs from the JavaScript float32 kernel')
}
const k = r.kernels ?? fail('the page ran no kernel probe')
if (k.loopRuns < 1) fail('jit ran no fused loop in WebAssembly')
if (!k.loopsAgree) fail('the WebAssembly fused loop differs from the JavaScript loop or eager')
if (!k.reduceOn || !k.sumsAgree)
  fail('the WebAssembly sum is unavailable or differs from JavaScript')
const c = cspResult as {
  error?: string
  product?: { backend: string; agree: boolean; exact: boolean; backend32: string; exact32: boolean }
  kernels?: Kernels
}
if (c.error !== undefined) fail(`the CSP page threw: ${c.error}`)
const q = c.product ?? fail('the CSP page computed no product')
if (q.backend !== 'js') {
  fail(`under a CSP without wasm-unsafe-eval matmul ran on ${q.backend}, expected js`)
}
if (!q.exact) fail('the fallback matmul under CSP gave a wrong product')
if (q.backend32 !== 'js-f32' || !q.exact32) {
  fail(`under a CSP the float32 matmul ran on ${q.backend32} or gave a wrong product`)
}
// under that CSP no module compiles (and jit, whose code needs eval, runs f eagerly)
const kc = c.kernels ?? fail('the CSP page ran no kernel probe')
if (kc.loopRuns !== 0 || kc.reduceOn || !kc.loopsAgree || !kc.sumsAgree) {
  fail(`under a CSP the loops or sums did not fall back to JavaScript: ${JSON.stringify(kc)}`)
}
console.log(
  `browser: chromium ${version}, grad(grad(f))(2) = ${r.d2}, jacobian ok, jit ok, ` +
    `matmul on ${p.backend} and ${p.backend32} (same bits as js), ` +
    `jit loops in wasm (${k.loopRuns} runs) and wasm sums (same bits as js), ` +
    `under CSP on ${q.backend} and ${q.backend32} with loops and sums in js`,
)
