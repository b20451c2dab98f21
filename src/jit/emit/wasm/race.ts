/**
 * Which loop runs a chain whose wasm loop calls `Math` functions often (`LoopModule.callHeavy`):
 * its wasm loop or its JS loop, measured.
 *
 * Each import call costs the wasm loop more than the JS loop pays for the same builtin, so once
 * V8 has optimized the JS loop it can be faster (up to ~1.5×, bench/NOTES.md §29). But a new JS
 * loop first runs unoptimized, several times slower than either, and V8 optimizes it only after
 * it has run: a chain over 10⁴ elements took 5–8 eager calls' time in its program's first replay
 * (bench/NOTES.md §32), and V8's optimization of it costs more CPU than a program called a few
 * times gains. A wasm loop is fast from its first run. So such a chain runs its wasm loop alone
 * until its runs have taken a rent of time (`rentFor`), and then beside it its JS loop on a
 * slice of the data (`warmSlice`; into buffers of its own, on a copy of the slot array: nothing
 * the program reads), both timed. Once a slice runs nearly as fast per element as the wasm
 * loop's best (V8 has optimized the JS loop), full JS runs decide: the JS loop for good if one
 * beats the wasm loop's best, else the wasm loop for good — as when the slices never catch up
 * (`MAX_TRIALS`) or there is no clock. Both loops compute the same bits (./step.ts), so which
 * one runs changes only the time.
 *
 * One race per chain key and process: chains of one key share their code, so V8's optimization
 * of it and the outcome.
 * @module
 */

import type { Step } from '../kernel.ts'

/**
 * Elements of the JS loop's warm-up slice for a loop over `n`: enough to time and for V8 to see
 * it hot soon, little work while unoptimized (a slice of 1/32 of the loop in unoptimized code
 * costs about what the wasm run costs).
 */
export const warmSlice = (n: number): number => Math.min(Math.max(256, n >> 5), 4096)

/** Warm-up slices after which the wasm loop stays, the JS loop not having caught up. */
export const MAX_TRIALS = 64

/** Wasm runs timed before the JS loop may win. */
const WASM_RUNS = 3

const RENTING = 0
const RACING = 1
const FINAL = 2
const JS_WON = 3
const WASM_STAYS = 4

/**
 * A warm-up slice's time per element within this factor of the wasm loop's: V8 has optimized the
 * JS loop (unoptimized or baseline code is 8–40× slower), so one full JS run decides. (A slice
 * pays its call and buffers over few elements: ~1.5× its per-element time in a full run.)
 */
const SLICE_SLACK = 2

/** Full JS runs that decide (the best of them against wasm's best: one may meet a GC). */
const FINAL_RUNS = 3

/**
 * The wasm loop's run time, ms per equation of the chain, before the race begins. Racing buys
 * the JS loop: V8 optimizes it on a compiler thread (~0.3 ms of CPU per equation, measured on the
 * Math-heavy gradient's chains, bench/NOTES.md §35) after slices run unoptimized, and it saves
 * ~1/5 of the wasm loop's time (the wasm loop 1.26× the optimized JS loop there, 1.55× at
 * worst). As in the ski-rental problem, the wasm loop runs ("rents") until what the JS loop
 * would have saved is about what buying it costs: a program called a few times never pays
 * for V8's optimization, one called long enough pays at most twice the best choice. On 10⁵
 * elements that is a few calls; on 10⁴, some 30.
 */
export const RENT_PER_EQUATION = 1.5

let rentPerEquation = RENT_PER_EQUATION

/** Sets the rent of races begun from now on, ms per equation (for tests); returns the previous. */
export function setRaceRent(msPerEquation: number): number {
  const was = rentPerEquation
  rentPerEquation = msPerEquation
  return was
}

/** The rent of a chain of `equations` equations, ms. */
export const rentFor = (equations: number): number => rentPerEquation * equations

/** A clock in ms. */
export interface Clock {
  now(): number
}

let clock: Clock | undefined = (globalThis as { performance?: Clock }).performance

/** Sets the clock of races begun from now on (for tests); returns the previous one. */
export function setRaceClock(c: Clock | undefined): Clock | undefined {
  const was = clock
  clock = c
  return was
}

/** The race of one chain key's two loops. */
export class LoopRace {
  /** Best times, ms per element: the wasm loop's, and the JS loop's on its warm-up slices. */
  private wasm = Number.POSITIVE_INFINITY
  private slice = Number.POSITIVE_INFINITY
  private wasmRuns = 0
  private trials = 0
  private finalRuns = 0
  /** The wasm loop's time so far, ms, while renting. */
  private spent = 0
  private readonly time: Clock | undefined = clock
  private state: number

  /** Ms of the wasm loop's runs before the JS loop's slices begin (see `rentFor`). */
  private readonly rent: number

  constructor(rent = 0) {
    this.rent = rent
    this.state = this.time === undefined ? WASM_STAYS : rent > 0 ? RENTING : RACING
  }

  /** The wasm loop runs alone, timed, until its time so far reaches the rent. */
  get renting(): boolean {
    return this.state === RENTING
  }

  /** The JS loop runs, for good. */
  get jsWon(): boolean {
    return this.state === JS_WON
  }

  /** The wasm loop runs, for good. */
  get wasmStays(): boolean {
    return this.state === WASM_STAYS
  }

  /** The next run is the JS loop's over all the data, timed (`record('js', …)`) to decide. */
  get final(): boolean {
    return this.state === FINAL
  }

  /** The clock's time now, ms (for `record`). */
  now(): number {
    return this.time!.now()
  }

  /**
   * Keeps the time of a run that began at `start` (`now`) over `elements`: of the wasm loop, of
   * the JS loop's warm-up slice, or of the JS loop over all the data in the final runs.
   */
  record(run: 'wasm' | 'slice' | 'js', elements: number, start: number): void {
    // a coarse clock (a browser's) may read 0 for a short run: no time then
    const t = (this.time!.now() - start) / elements
    const timed = t > 0
    if (run === 'wasm') {
      if (timed) this.wasm = Math.min(this.wasm, t)
      this.wasmRuns++
      if (this.state === RENTING) {
        this.spent += Math.max(0, t * elements)
        if (this.spent >= this.rent) this.state = RACING
      }
    } else if (run === 'js') {
      this.finalRuns++
      if (timed && t < this.wasm) this.state = JS_WON
      else if (this.finalRuns >= FINAL_RUNS) this.state = WASM_STAYS
    } else {
      this.trials++
      if (timed) this.slice = Math.min(this.slice, t)
      // (a first wasm run pays for fresh memory pages: its best is known after a few)
      // (and a coarse clock may never time the wasm loop: then it stays)
      const near = this.slice < this.wasm * SLICE_SLACK && this.wasm < Number.POSITIVE_INFINITY
      if (near && this.wasmRuns >= WASM_RUNS) this.state = FINAL
      else if (this.trials >= MAX_TRIALS) this.state = WASM_STAYS
    }
  }
}

/**
 * The step of a chain over `rows` × `columns` whose loops race: `wasm` and `js` run it all,
 * `warmUp(elements)` makes the JS loop over the first elements (whole rows, or the start of row
 * 0); while `usable` is false (wasm switched off, or broken), the JS loop runs.
 */
export function racingStep(
  race: LoopRace,
  { rows, columns }: { readonly rows: number; readonly columns: number },
  wasm: Step,
  js: Step,
  warmUp: (elements: number) => Step,
  usable: () => boolean,
): Step {
  const n = rows * columns
  const slice = warmSlice(n)
  const elements = columns >= slice ? slice : Math.min(rows, Math.ceil(slice / columns)) * columns
  let warm: Step | undefined
  return (N, E) => {
    if (race.jsWon || !usable()) return js(N, E)
    if (race.wasmStays) return wasm(N, E)
    if (race.renting) {
      const start = race.now()
      wasm(N, E)
      return race.record('wasm', n, start)
    }
    if (race.final) {
      const start = race.now()
      js(N, E)
      return race.record('js', n, start)
    }
    // racing: the JS loop's slice, on a copy of the slots (its outputs are not the program's),
    // then the wasm loop
    warm ??= warmUp(elements)
    let start = race.now()
    warm(N, E.slice())
    race.record('slice', elements, start)
    start = race.now()
    wasm(N, E)
    race.record('wasm', n, start)
  }
}
