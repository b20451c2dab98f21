/**
 * `jit` on long programs (`npm run bench:jit-size -- [n …]`, default 10⁵): what the first call
 * costs (trace and compile), the first replay (V8 has not optimized the generated code yet), a
 * later replay, and an eager call, for chains of n elementwise primitives — on a 4-element
 * tensor and on a number, each as the function and as its gradient. One-shot timings in one
 * process, printed as a Markdown table; every replay is checked bit for bit against the eager
 * result before its time is printed, so a wrong program can never be reported as fast.
 *
 * The chain cycles y ← sin(y), y ← y·0.5, y ← y + 0.25, so values and derivatives stay of
 * order 1 at any length.
 */
import { add, grad, jit, mul, type Scalar, sin, sum, type Tensor, tensor } from 'fluxion'

const chain = (x: Scalar, n: number): Scalar => {
  let y = x
  for (let op = 0; op < n; op++) {
    y = op % 3 === 0 ? sin(y) : op % 3 === 1 ? mul(y, 0.5) : add(y, 0.25)
  }
  return y
}

const bits = (v: unknown): string =>
  typeof v === 'number' ? String(v) : Array.from((v as Tensor).data).join(',')

const time = <T>(run: () => T): [T, number] => {
  const start = performance.now()
  const out = run()
  return [out, performance.now() - start]
}

const sizes = process.argv.slice(2).map(Number)
console.log('| program | ops | first call (trace + compile) | first replay | replay | eager |')
console.log('|---|---|---|---|---|---|')
for (const n of sizes.length > 0 ? sizes : [100_000]) {
  const programs: readonly (readonly [string, (x: never) => unknown, Scalar])[] = [
    ['tensor chain', (x: Tensor) => sum(chain(x, n)), tensor([0.1, 0.2, 0.3, 0.4])],
    ['grad of tensor chain', grad((x: Tensor) => sum(chain(x, n))), tensor([0.1, 0.2, 0.3, 0.4])],
    ['scalar chain', (x: number) => chain(x, n), 0.3],
    ['grad of scalar chain', grad((x: number) => chain(x, n) as number), 0.3],
  ]
  for (const [name, f, x] of programs) {
    const compiled = jit(f as (x: Scalar) => unknown)
    const [, first] = time(() => compiled(x))
    const [replayed, firstReplay] = time(() => compiled(x))
    const [, replay] = time(() => compiled(x))
    const [eager, eagerTime] = time(() => (f as (x: Scalar) => unknown)(x))
    if (bits(replayed) !== bits(eager))
      throw new Error(`${name}, n=${n}: replay differs from eager`)
    const ms = (t: number) => `${t.toFixed(t < 10 ? 1 : 0)} ms`
    console.log(
      `| ${name} | ${n} | ${ms(first)} | ${ms(firstReplay)} | ${ms(replay)} | ${ms(eagerTime)} |`,
    )
  }
}
