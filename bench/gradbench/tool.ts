/**
 * fluxion's GradBench tool: reads one JSON message per line on stdin, answers one JSON line per
 * message on stdout (GradBench's protocol: start, define, evaluate, analysis). Each eval module
 * is `evals/<name>.ts`. Run it with `tsx --conditions @fluxion/source bench/gradbench/tool.ts`;
 * `FLUXION_JIT=0` runs every function eagerly (default: under `jit` where the program allows).
 */
import { createInterface } from 'node:readline'
import type { Module } from './runs.ts'
import { useJit } from './runs.ts'

/** The eval modules this tool implements (GradBench's eval names). */
export const EVALS = [
  'hello',
  'lse',
  'llsq',
  'det',
  'ode',
  'kmeans',
  'gmm',
  'lstm',
  'ba',
  'ht',
  'particle',
  'saddle',
] as const

const loaded = new Map<string, Module>()

const load = async (name: string): Promise<Module> => {
  const known = loaded.get(name)
  if (known !== undefined) return known
  if (!(EVALS as readonly string[]).includes(name)) throw new Error(`no module ${name}`)
  const m = (await import(`./evals/${name}.ts`)) as { module: Module }
  loaded.set(name, m.module)
  return m.module
}

interface Message {
  readonly id: number
  readonly kind: string
  readonly module?: string
  readonly function?: string
  readonly input?: unknown
}

const errorText = (e: unknown): string => (e instanceof Error ? (e.stack ?? e.message) : String(e))

const respond = async (msg: Message): Promise<Record<string, unknown>> => {
  const res: Record<string, unknown> = { id: msg.id }
  try {
    switch (msg.kind) {
      case 'start':
        res.tool = 'fluxion'
        res.config = { jit: useJit }
        break
      case 'define':
        await load(msg.module ?? '')
        res.success = true
        break
      case 'evaluate': {
        const fn = (await load(msg.module ?? ''))[msg.function ?? '']
        if (fn === undefined) throw new Error(`no function ${msg.module}::${msg.function}`)
        Object.assign(res, { success: true }, fn(msg.input as never))
        break
      }
      default:
        break
    }
  } catch (e) {
    res.success = false
    res.error = errorText(e)
  }
  return res
}

const main = async (): Promise<void> => {
  const lines = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY })
  for await (const line of lines) {
    if (line.trim() === '') continue
    const res = await respond(JSON.parse(line) as Message)
    process.stdout.write(`${JSON.stringify(res)}\n`)
  }
}

await main()
