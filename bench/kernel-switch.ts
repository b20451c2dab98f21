/**
 * The matrix-product backend switch of the build under test. It is internal (not a package
 * export), so it is loaded from the same file the 'fluxion' entry point imports — the module
 * instance whose setting `matmul` reads — rather than from src/.
 */
const url = new URL('./tensor/kernels/gemm-select.js', import.meta.resolve('fluxion')).href
const select = (await import(url)) as {
  setWasmKernels(on: boolean): boolean
  wasmKernels(): { readonly name: string } | null
}

/** The name of the WebAssembly backend when it runs here, else 'unavailable'. */
export const wasmName = (): string => select.wasmKernels()?.name ?? 'unavailable'

/** `fn` with the WebAssembly kernels off: every product runs in the JavaScript kernel. */
export const jsKernel =
  <T>(fn: () => T): (() => T) =>
  () => {
    const was = select.setWasmKernels(false)
    try {
      return fn()
    } finally {
      select.setWasmKernels(was)
    }
  }
