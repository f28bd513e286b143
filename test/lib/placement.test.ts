import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {isShmrError} from '../../src/lib/errors.js'
import {GiB, MiB} from '../../src/lib/format/constants.js'
import {placeShards} from '../../src/lib/pools/placeShards.js'
import {PLACEMENT_POLICIES, type DriveSpace} from '../../src/lib/pools/policies/index.js'

/** Places blocks until the pool is full, returning bytes put on each drive. */
function fill(policyName: string, sizes: number[], count: number, shardBytes: number): {used: number[]; stripes: number} {
  const drives: DriveSpace[] = sizes.map((size, i) => ({id: i, freeBytes: size, totalBytes: size}))
  let stripes = 0
  for (;;) {
    const chosen = PLACEMENT_POLICIES[policyName]!.place(drives, count, shardBytes)
    if (!chosen) break
    assert.equal(new Set(chosen).size, count, 'shards of one block on distinct drives')
    for (const id of chosen) drives[id] = {...drives[id]!, freeBytes: drives[id]!.freeBytes - shardBytes}
    stripes++
  }
  return {used: sizes.map((size, i) => size - drives[i]!.freeBytes), stripes}
}

describe('placement on drives of 1, 2 and 10 GiB', () => {
  const sizes = [1 * GiB, 2 * GiB, 10 * GiB]

  it('mostFree: single copies fill the big drive first, then all evenly; nothing is stranded', () => {
    const {used} = fill('mostFree', sizes, 1, 64 * MiB)
    assert.deepEqual(used, sizes, 'every byte of every drive used')
  })

  it('mostFree: 2-drive stripes fit the most possible (bounded by the two small drives)', () => {
    const {used, stripes} = fill('mostFree', sizes, 2, 64 * MiB)
    // The 10 GiB drive pairs with one of the small ones each time: at most 1+2 GiB of partners.
    assert.equal(stripes, (3 * GiB) / (64 * MiB))
    assert.equal(used[0]! + used[1]!, 3 * GiB)
  })

  it('leastUsedFraction keeps drives at the same fill level', () => {
    const drives: DriveSpace[] = sizes.map((size, i) => ({id: i, freeBytes: size, totalBytes: size}))
    for (let i = 0; i < 100; i++) {
      const [id] = PLACEMENT_POLICIES.leastUsedFraction!.place(drives, 1, 16 * MiB)!
      drives[id!] = {...drives[id!]!, freeBytes: drives[id!]!.freeBytes - 16 * MiB}
    }
    const fractions = drives.map((drive) => 1 - drive.freeBytes / drive.totalBytes)
    assert.ok(Math.max(...fractions) - Math.min(...fractions) < 0.02, `fill levels ${fractions.join(', ')}`)
  })

  it('puts the shards of one block on distinct drives, ties broken by id', () => {
    const equal: DriveSpace[] = [0, 1, 2, 3, 4, 5].map((id) => ({id, freeBytes: GiB, totalBytes: GiB}))
    assert.deepEqual(PLACEMENT_POLICIES.mostFree!.place(equal, 6, MiB), [0, 1, 2, 3, 4, 5])
  })

  it('refuses with NO_SPACE, before anything is written, when too few drives have room', () => {
    const drives: DriveSpace[] = sizes.map((size, i) => ({id: i, freeBytes: i === 2 ? size : 0, totalBytes: size}))
    assert.throws(() => placeShards(PLACEMENT_POLICIES.mostFree!, 'archive', drives, 2, MiB),
      (error) => isShmrError(error, 'NO_SPACE') && /only 1 of 3 have room/.test(error.message))
  })
})
