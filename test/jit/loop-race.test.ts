/**
 * The race of a Math-heavy chain's two loops (src/jit/emit/wasm/race.ts): the wasm loop runs
 * while the JS loop warms up on slices, and the faster one after. The race's rules on a clock
 * the test moves; then, under `jit`, that whichever loop runs, and the slices beside it, every
 * call gives eager's bits and leaves earlier results alone.
 */
import { add, exp, jit, log, mul, pad, sin, square, sub, type Tensor, tanh, tensor } from 'fluxion'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  type Clock,
  LoopRace,
  MAX_TRIALS,
  racingStep,
  setRaceClock,
  setRaceRent,
} from '../../src/jit/emit/wasm/race.ts'
import { setWasmLoopMinElements, wasmLoopStats } from '../../src/jit/emit/wasm/step.ts'
import { sameBits } from './wasm-helpers.ts'

/** A clock that moves only when told. */
class Hand implements Clock {
  t = 0
  now(): number {
    return this.t
  }
}

let hand: Hand
let clockWas: Clock | undefined
beforeEach(() => {
  hand = new Hand()
  clockWas = setRaceClock(hand)
})
afterEach(() => {
  setRaceClock(clockWas)
})

/** Records a run of `ms` over `elements`. */
const time = (race: LoopRace, run: 'wasm' | 'slice' | 'js', elements: number, ms: number) => {
  const start = race.now()
  hand.t += ms
  race.record(run, elements, start)
}

const racing = (race: LoopRace) => !race.renting && !race.jsWon && !race.wasmStays && !race.final

describe('the race', () => {
  it('with a rent, the wasm loop runs alone until its time reaches it', () => {
    const race = new LoopRace(10)
    expect(race.renting).toBe(true)
    time(race, 'wasm', 4096, 4)
    time(race, 'wasm', 4096, 5.5)
    expect(race.renting).toBe(true)
    time(race, 'wasm', 4096, 0.5)
    expect(racing(race) && !race.renting).toBe(true)
    // the rent's runs count as the wasm loop's: an optimized slice goes to the final runs now
    time(race, 'slice', 256, 0.05)
    expect(race.final).toBe(true)
  })

  it('racingStep runs no slice of the JS loop while renting, then one per run', () => {
    const race = new LoopRace(3)
    const counts = { wasm: 0, js: 0, slices: 0, made: 0 }
    const step = racingStep(
      race,
      { rows: 64, columns: 64 },
      () => {
        counts.wasm++
        hand.t += 1
      },
      () => void counts.js++,
      () => {
        counts.made++
        return () => void counts.slices++
      },
      () => true,
    )
    for (let k = 0; k < 3; k++) step(new Float64Array(0), [])
    expect(counts).toEqual({ wasm: 3, js: 0, slices: 0, made: 0 })
    step(new Float64Array(0), [])
    expect(counts).toEqual({ wasm: 4, js: 0, slices: 1, made: 1 })
  })

  it('without a clock, the wasm loop stays', () => {
    setRaceClock(undefined)
    expect(new LoopRace().wasmStays).toBe(true)
  })

  it('the JS loop wins once its slices are near the wasm loop and a full run beats it', () => {
    const race = new LoopRace()
    // unoptimized slices: 20× the wasm loop's time per element
    for (let k = 0; k < 3; k++) {
      time(race, 'slice', 256, 256 * 20)
      time(race, 'wasm', 4096, 4096)
    }
    expect(racing(race)).toBe(true)
    // an optimized slice, 1.5× (its call and buffers over few elements)
    time(race, 'slice', 256, 256 * 1.5)
    expect(race.final).toBe(true)
    // a full JS run slower than wasm's best (say a GC), then one faster
    time(race, 'js', 4096, 4096 * 1.2)
    expect(race.final).toBe(true)
    time(race, 'js', 4096, 4096 * 0.7)
    expect(race.jsWon).toBe(true)
  })

  it('a fast slice decides nothing before the wasm loop has run a few times', () => {
    const race = new LoopRace()
    time(race, 'slice', 256, 256)
    time(race, 'wasm', 4096, 4096 * 3) // a first run, on fresh memory
    time(race, 'slice', 256, 256)
    expect(racing(race)).toBe(true)
  })

  it('the wasm loop stays when three full JS runs do not beat it', () => {
    const race = new LoopRace()
    for (let k = 0; k < 3; k++) time(race, 'wasm', 4096, 4096)
    time(race, 'slice', 256, 256)
    expect(race.final).toBe(true)
    for (let k = 0; k < 3; k++) time(race, 'js', 4096, 4096 * 1.1)
    expect(race.wasmStays).toBe(true)
  })

  it('the wasm loop stays when the slices never catch up, or a coarse clock reads 0', () => {
    // slow slices; slices a coarse clock reads as 0; wasm runs it reads as 0 (never timed)
    for (const [wasmMs, sliceMs] of [
      [4096, 256 * 20],
      [4096, 0],
      [0, 256],
    ] as const) {
      const race = new LoopRace()
      for (let k = 0; k < MAX_TRIALS - 1; k++) {
        time(race, 'wasm', 4096, wasmMs)
        time(race, 'slice', 256, sliceMs)
      }
      expect(racing(race)).toBe(true)
      time(race, 'slice', 256, sliceMs)
      expect(race.wasmStays).toBe(true)
    }
  })
})

/**
 * A clock whose every reading is later by a smaller step than the last: each run takes less
 * time than any before it, so the JS loop's full runs, the last, beat the wasm loop's.
 */
class Faster implements Clock {
  private t = 0
  private k = 1
  now(): number {
    this.t += 1 / this.k++
    return this.t
  }
}

/** A clock whose every reading is 1 ms later: every run takes 1 ms. */
class Steady implements Clock {
  private t = 0
  now(): number {
    return ++this.t
  }
}

describe('under jit', () => {
  let threshold = 0
  let rent = 0
  beforeEach(() => {
    threshold = setWasmLoopMinElements(0)
    // (the rules are tested above; here the race begins at once, unless a test sets a rent)
    rent = setRaceRent(0)
  })
  afterEach(() => {
    setWasmLoopMinElements(threshold)
    setRaceRent(rent)
  })

  /**
   * Calls jit(f) `calls` times; checks each result against eager's (float64; a float32 chain
   * rounds fewer times than eager, so against the first call's) and all earlier ones.
   */
  const calls = (f: (v: Tensor) => Tensor, x: Tensor, calls: number): number[] => {
    const g = jit(f)
    const results: Tensor[] = [g(x)]
    const want = x.dtype === 'float64' ? f(x).data : Float32Array.from(results[0]!.data)
    const wasmRuns: number[] = [0]
    for (let k = 1; k < calls; k++) {
      const before = wasmLoopStats.runs
      results.push(g(x))
      wasmRuns.push(wasmLoopStats.runs - before)
      for (const [j, r] of results.entries()) sameBits(r.data, want, `call ${k}, result ${j}`)
    }
    return wasmRuns
  }

  // Math calls in most equations: call-heavy chains
  const heavy = (v: Tensor): Tensor => add(mul(exp(v), tanh(v)), log(add(square(v), 1)))

  it('the JS loop takes over once it wins: the wasm loop runs, then not', () => {
    setRaceClock(new Faster())
    const x = tensor(Float64Array.from({ length: 256 }, (_, i) => Math.sin(i) * 3))
    const runs = calls(heavy, x, 12)
    // the first call traces (eager bits); wasm runs while racing, then the JS loop alone
    expect(runs[1]).toBeGreaterThan(0)
    expect(runs.slice(-3)).toEqual([0, 0, 0])
  })

  it('while the rent lasts, only the wasm loop runs, even where the JS loop would win', () => {
    const x = tensor(Float64Array.from({ length: 256 }, (_, i) => Math.sin(i) / 2))
    // (chains of their own: one race per chain structure and process)
    setRaceClock(new Faster())
    setRaceRent(1e9)
    const renting = calls((v: Tensor): Tensor => heavy(mul(v, 0.5)), x, 12)
    expect(renting.slice(1).every((r) => r > 0)).toBe(true)
    // the same clock without a rent: the JS loop takes over
    setRaceClock(new Faster())
    setRaceRent(0)
    const racing = calls((v: Tensor): Tensor => heavy(add(v, 0.5)), x, 12)
    expect(racing.slice(-3)).toEqual([0, 0, 0])
  })

  it('the wasm loop stays when the JS loop does not beat it', () => {
    setRaceClock(new Steady())
    const x = tensor(Float64Array.from({ length: 256 }, (_, i) => Math.cos(i) * 3))
    const f = (v: Tensor): Tensor => add(sin(heavy(v)), v)
    const runs = calls(f, x, 12)
    expect(runs.slice(-3).every((r) => r > 0)).toBe(true)
  })

  const rightByOne: [number, number][] = [
    [0, 0],
    [1, -1],
  ]

  it('slices of whole rows, with a repeated row, a read in place, and float32', () => {
    for (const dtype of ['float64', 'float32'] as const) {
      for (const jsWins of [true, false]) {
        setRaceClock(jsWins ? new Faster() : new Steady())
        const x = tensor(
          Float64Array.from({ length: 40 * 10 }, (_, i) => Math.sin(i) * 2),
          [40, 10],
          { dtype },
        )
        const row = tensor(
          Float64Array.from({ length: 10 }, (_, i) => i / 10),
          [1, 10],
          { dtype },
        )
        // each row shifted right by one (a read in place), plus a row repeated down the rows;
        // `add` or `sub`: another chain, so another race (one per chain structure)
        const shifted = (v: Tensor): Tensor => pad(v, rightByOne, 0.5)
        const combine = jsWins ? add : sub
        const f = (v: Tensor): Tensor => heavy(combine(shifted(v), mul(row, v)))
        const runs = calls(f, x, 12)
        // the chain runs in wasm while it races (the race is what is tested), then as decided
        expect(runs[1]).toBeGreaterThan(0)
        expect(runs.slice(-3).every((r) => (jsWins ? r === 0 : r > 0))).toBe(true)
      }
    }
  })
})
