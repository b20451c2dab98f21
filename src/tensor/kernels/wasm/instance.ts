/**
 * A hand-written kernel module (matmul.wat, matmul-f32.wat, reduce.wat), compiled once and
 * instantiated over a memory the host owns (each module imports `env.memory`).
 *
 * The memory is never grown. Growing a `WebAssembly.Memory` detaches its old ArrayBuffer, and
 * one detached buffer anywhere in a process makes V8 check for detachment in every optimized
 * typed-array access from then on (its "array buffer detaching" protector is never restored):
 * measured, a plain JS loop over a Float64Array ran 131 → 201 µs after one grow (bench/NOTES.md
 * §23). So a kernel that needs more room gets a new, larger memory and a new instance of the
 * same compiled module over it; the old memory is left to the garbage collector, undetached.
 * `jit`'s generated loops do the same (src/jit/emit/wasm/step.ts).
 * @module
 */

/** The slice of a `WebAssembly.Memory` used here (the build's lib has no DOM or Node types). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer
}
/** The slice of the WebAssembly namespace used here. */
export interface WasmApi {
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> }
  Memory: new (descriptor: { initial: number }) => WasmMemory
}

/** The memory a kernel may hold (bytes); larger problems run in JavaScript. */
export const MAX_BYTES = 1 << 30
const PAGE = 65536

/** The engine's WebAssembly namespace, if it has one. */
export const wasmApi = (): WasmApi | undefined =>
  (globalThis as { WebAssembly?: WasmApi }).WebAssembly

const bytesOf = (hex: string): Uint8Array => {
  const out = new Uint8Array(hex.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16)
  return out
}

/**
 * A compiled kernel module, its current memory, and `kernel`: its exports as `bind` types
 * them, renewed with each new instance.
 */
export class KernelModule<K> {
  memory: WasmMemory
  kernel: K
  private readonly api: WasmApi
  private readonly module: object
  private readonly bind: (exports: Record<string, unknown>) => K

  private constructor(
    api: WasmApi,
    module: object,
    bind: (exports: Record<string, unknown>) => K,
    memory: WasmMemory,
  ) {
    this.api = api
    this.module = module
    this.bind = bind
    this.memory = memory
    this.kernel = bind(new api.Instance(module, { env: { memory } }).exports)
  }

  /**
   * Compiles and instantiates a module given as hex; null (never a throw) where WebAssembly
   * with SIMD cannot run here — missing, an engine without SIMD (compiling validates), or a
   * page whose Content-Security-Policy forbids compiling.
   */
  static compile<K>(
    hex: string,
    bind: (exports: Record<string, unknown>) => K,
  ): KernelModule<K> | null {
    const api = wasmApi()
    if (api === undefined) return null
    try {
      return new KernelModule(
        api,
        new api.Module(bytesOf(hex)),
        bind,
        new api.Memory({ initial: 1 }),
      )
    } catch {
      return null
    }
  }

  /**
   * Makes the memory hold at least `bytes`: a new memory (at least twice the old one, so a
   * growing workload renews it a few times only) and a new instance over it. False, with the
   * old memory kept, past `MAX_BYTES` or when the engine cannot allocate (the caller then runs
   * JavaScript).
   */
  reserve(bytes: number): boolean {
    const have = this.memory.buffer.byteLength
    if (have >= bytes) return true
    if (bytes > MAX_BYTES) return false
    const pages = Math.min(Math.max(Math.ceil(bytes / PAGE), (2 * have) / PAGE), MAX_BYTES / PAGE)
    try {
      const memory = new this.api.Memory({ initial: pages })
      const kernel = this.bind(new this.api.Instance(this.module, { env: { memory } }).exports)
      this.memory = memory
      this.kernel = kernel
      return true
    } catch {
      return false
    }
  }
}
