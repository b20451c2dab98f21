import fc from 'fast-check'

// One place for property-test settings, shared by developers and CI (STACK.md §6.2).
const seed = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED)
fc.configureGlobal({
  numRuns: Number(process.env.FC_NUM_RUNS ?? 100),
  ...(seed === undefined ? {} : { seed }),
})
