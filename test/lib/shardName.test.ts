import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {erasure, mirror, SINGLE, shardCount, type Topology} from '../../src/lib/blocks/topology.js'
import {formatShardName, parseShardName, type ShardName} from '../../src/lib/format/shardName.js'

describe('shard names', () => {
  const topologies: Topology[] = [SINGLE, mirror(2), mirror(3), erasure(4, 2), erasure(3, 2), erasure(10, 4), erasure(1, 1)]

  it('parse(format(x)) == x for every shard of many blocks', () => {
    let checked = 0
    for (const topology of topologies) {
      for (const fileId of [1, 2, 4096, 2 ** 40]) {
        for (let shardIndex = 0; shardIndex < shardCount(topology); shardIndex++) {
          const name: ShardName = {
            fileId, blockIndex: fileId * 3 + shardIndex, blockSizeBytes: 1 << (16 + shardIndex % 13), generation: fileId * 7 + 1,
            topology, shardIndex, lengthBytes: 1 + fileId % 1000003, crc32c: (0x9e3779b9 * (shardIndex + 1)) >>> 0,
          }
          const text = formatShardName(name)
          assert.match(text, /^[a-z0-9.]+$/, 'only portable characters')
          assert.ok(text.length < 200)
          assert.deepEqual(parseShardName(text), name)
          checked++
        }
      }
    }
    assert.ok(checked > 100)
  })

  it('spells the documented example', () => {
    const text = 'i42.b7.z1048576.g1093.e4p2.d3.l1048576.c9a3f00e1.shard'
    const parsed = parseShardName(text)
    assert.deepEqual(parsed, {
      fileId: 42, blockIndex: 7, blockSizeBytes: 1048576, generation: 1093, topology: erasure(4, 2),
      shardIndex: 3, lengthBytes: 1048576, crc32c: 0x9a3f00e1,
    })
    assert.equal(parseShardName('i42.b7.z1048576.g1093.e4p2.p1.l1048576.c9a3f00e1.shard')?.shardIndex, 5)
  })

  it('rejects anything that is not exactly one canonical name', () => {
    for (const bad of [
      '', 'README', '.shmr-drive.json',
      'i42.b7.z1048576.g1093.e4p2.d4.l1048576.c9a3f00e1.shard', // data shard index out of range
      'i42.b7.z1048576.g1093.e4p2.p2.l1048576.c9a3f00e1.shard', // parity index out of range
      'i042.b7.z1048576.g1093.e4p2.d3.l1048576.c9a3f00e1.shard', // leading zero
      'i42.b7.z1048576.g1093.e4p2.d3.l1048576.c9A3F00E1.shard', // upper-case hex
      'i42.b7.z1048576.g1093.m3.d0.l1048576.c9a3f00e1.shard', // role does not fit topology
      'i42.b7.z1048576.g1093.s.s1.l1048576.c9a3f00e1.shard',
      'i42.b7.z1048576.g1093.e0p2.d0.l1048576.c9a3f00e1.shard',
      '../i42.b7.z1048576.g1093.e4p2.d3.l1048576.c9a3f00e1.shard',
      'i42.b7.z1048576.g1093.e4p2.d3.l1048576.c9a3f00e1.shard.tmp',
    ]) {
      assert.equal(parseShardName(bad), undefined, bad)
    }
  })
})
