/**
 * Law `tree-roundtrip` on random trees (numbers and tensors of random shapes, nested in arrays
 * and plain objects up to depth 3, empty arrays and objects included): `treeMap` of the
 * identity, rebuilding from the leaves, `jvp` and `vjp` of the identity give the tree back,
 * and `grad` of the sum of all entries is a tree of ones of the same structure and kinds.
 *
 * Runs per property come from `FC_NUM_RUNS` (test/setup.ts); seeds are never pinned.
 */
import { test } from '@fast-check/vitest'
import { tensor } from 'fluxion'
import { dyadic, explain, holds, tree, treeRoundtrip } from 'fluxion/testing'
import { describe, expect } from 'vitest'

describe('tree-roundtrip', () => {
  test.prop([tree()])('tree-roundtrip', (t) => {
    const equation = treeRoundtrip(t)
    expect(holds(equation), explain(equation)).toBe(true)
  })

  test.prop([tree({ elements: dyadic, maxDepth: 4 })])('tree-roundtrip (dyadic, deeper)', (t) => {
    const equation = treeRoundtrip(t)
    expect(holds(equation), explain(equation)).toBe(true)
  })

  test('tree-roundtrip keeps a number a number and a rank-0 tensor a tensor', () => {
    const equation = treeRoundtrip({ n: 1, t: tensor(2), list: [tensor([1, 2]), { k: 3 }] })
    expect(holds(equation), explain(equation)).toBe(true)
  })
})
