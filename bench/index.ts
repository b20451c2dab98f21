/**
 * `npm run bench [-- --quick] [-- filter]`: runs the bench suites, validating each result
 * before timing it, and writes bench/results/<date>-<commit>.{json,md}.
 */
import { type Group, type Row, report, runGroup } from './harness.ts'
import { coreGroups } from './suites/core.bench.ts'
import { higherGroups } from './suites/higher.bench.ts'
import { jacobianGroups } from './suites/jacobian.bench.ts'

const args = process.argv.slice(2)
const quick = args.includes('--quick')
const filter = args.find((a) => !a.startsWith('--'))

const groups: Group[] = [
  ...coreGroups(quick),
  ...jacobianGroups(quick),
  ...higherGroups(quick),
].filter((g) => filter === undefined || g.title.includes(filter))
const rows: Row[] = []
for (const g of groups) {
  process.stderr.write(`running: ${g.title}\n`)
  rows.push(...(await runGroup(g, quick ? 200 : 1000)))
}
report(rows)
