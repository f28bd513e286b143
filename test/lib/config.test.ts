import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {describe, it} from 'node:test'
import {erasure, mirror} from '../../src/lib/blocks/topology.js'
import {formatConfig} from '../../src/lib/config/formatConfig.js'
import {loadConfig, parseConfig} from '../../src/lib/config/loadConfig.js'
import {isShmrError, type ShmrError} from '../../src/lib/errors.js'
import {readCredentials} from '../../src/lib/objectStore/credentials.js'
import {fixtureConfig} from '../helpers/fixtureFs.js'
import {tempDir} from '../helpers/tempDir.js'

const root = tempDir()
const base = fixtureConfig(root)
const file = path.join(root, 'shmr.yaml')

/** The config text of the fixture with `edit` applied to its parsed form. */
function variant(edit: (doc: Record<string, any>) => void): string {
  const doc = JSON.parse(JSON.stringify({
    metadata: 'meta', mountpoint: 'mnt', blockSize: '64K',
    pools: [
      {name: 'write', role: 'write', drives: {ssd0: 'write/ssd0'}},
      {name: 'archive', role: 'archive', blockSize: '256K', erasure: {data: 4, parity: 2},
        drives: Object.fromEntries([0, 1, 2, 3, 4, 5].map((i) => [`smr${i}`, `archive/smr${i}`]))},
    ],
  }))
  edit(doc)
  return JSON.stringify(doc)
}

function problemsOf(text: string): string[] {
  try {
    parseConfig(text, file)
  } catch (error) {
    assert.ok(isShmrError(error, 'BAD_CONFIG'), `expected BAD_CONFIG, got ${error}`)
    return (error as ShmrError).details.length > 0 ? [...(error as ShmrError).details] : [(error as ShmrError).message]
  }
  return []
}

describe('config', () => {
  it('loads a valid config with paths resolved against its directory', () => {
    const config = parseConfig(variant(() => {}), file)
    assert.equal(config.metadataDir, path.join(root, 'meta'))
    assert.equal(config.pools[1]!.drives[5]!.dir!, path.join(root, 'archive', 'smr5'))
    assert.deepEqual(config.pools[1]!.topology, erasure(4, 2))
    assert.equal(config.pools[1]!.placement, 'mostFree')
  })

  it('round-trips through formatConfig', () => {
    const again = parseConfig(formatConfig(base), file)
    assert.deepEqual(again, base)
    const mirroredRoot = tempDir()
    const mirrored = fixtureConfig(mirroredRoot, {writeDrives: 2, writeTopology: mirror(2), archiveTopology: erasure(3, 2), archiveDrives: 5})
    assert.deepEqual(parseConfig(formatConfig(mirrored), mirrored.file), mirrored)
    assert.deepEqual(mirrored.pools[0]!.topology, mirror(2))
    const tunedRoot = tempDir()
    const tuned = fixtureConfig(tunedRoot, {mount: {readAheadBytes: 8 * 1024 * 1024, cacheBytes: 64 * 1024 * 1024, logLevel: 'warning', tierEveryMs: 3_600_000}})
    assert.match(formatConfig(tuned), /readAhead: 8M/)
    assert.match(formatConfig(tuned), /logLevel: warning/)
    assert.match(formatConfig(tuned), /tierEvery: 1h/)
    const filling = fixtureConfig(tempDir(), {mount: {tierAtFill: 0.8}})
    assert.match(formatConfig(filling), /tierAtFill: 80%/)
    assert.deepEqual(parseConfig(formatConfig(filling), filling.file), filling)
    const neverWaiting = parseConfig(variant((doc) => { doc.mount = {busyAbove: 0} }), file)
    assert.equal(neverWaiting.mount.busyAboveBytesPerSecond, 0)
    assert.match(formatConfig(neverWaiting), /busyAbove: 0/)
    assert.deepEqual(parseConfig(formatConfig(neverWaiting), file), neverWaiting)
    assert.equal(base.mount.busyAboveBytesPerSecond, 32 * 1024 * 1024)
    assert.deepEqual(parseConfig(formatConfig(tuned), tuned.file), tuned)
    const capped = parseConfig(variant((doc) => { doc.pools[1].rate = '80M' }), file)
    assert.equal(capped.pools[1]!.rateBytesPerSecond, 80 * 1024 * 1024)
    assert.match(formatConfig(capped), /rate: 80M/)
    assert.deepEqual(parseConfig(formatConfig(capped), file), capped)
  })

  it('puts the write pool first, keeping archive pools in their written order', () => {
    const config = parseConfig(variant((doc) => doc.pools.reverse()), file)
    assert.deepEqual(config.pools.map((pool) => pool.name), ['write', 'archive'])
  })

  const cases: Array<[string, (doc: Record<string, any>) => void, RegExp]> = [
    ['an unknown top-level key', (doc) => { doc.colour = 'red' }, /^colour: unknown key/],
    ['an unknown pool key', (doc) => { doc.pools[0].speed = 'fast' }, /^pools\[0\]\.speed: unknown key/],
    ['a missing metadata dir setting', (doc) => { delete doc.metadata }, /^metadata: is required/],
    ['a missing directory', (doc) => { doc.pools[0].drives.ssd0 = 'nowhere' }, /^pools\[0\]\.drives\.ssd0: directory .*nowhere does not exist/],
    ['a file where a directory belongs', (doc) => { doc.mountpoint = 'shmr.yaml' }, /^mountpoint: .*shmr\.yaml is not a directory/],
    ['two drives on one directory', (doc) => { doc.pools[1].drives.smr1 = 'archive/smr0' }, /^pools\[1\]\.drives\.smr1: directory .* is also used by pools\[1\]\.drives\.smr0/],
    ['a drive on the metadata directory', (doc) => { doc.pools[0].drives.ssd0 = './meta' }, /also used by metadata/],
    ['a scheme wider than its pool', (doc) => { doc.pools[1].erasure = {data: 6, parity: 3} }, /^pools\[1\]: scheme 6\+3 needs 9 drives, the pool has 6/],
    ['a mirror wider than its pool', (doc) => { doc.pools[0].mirror = 2 }, /^pools\[0\]: scheme mirror:2 needs 2 drives, the pool has 1/],
    ['erasure and mirror together', (doc) => { doc.pools[1].mirror = 2 }, /either erasure-coded or mirrored/],
    ['a block size that is not a power of two', (doc) => { doc.blockSize = '3M' }, /^blockSize: block size 3M must be a power of two between 64K and 256M/],
    ['a block size below 64 KiB', (doc) => { doc.pools[1].blockSize = '32K' }, /^pools\[1\]\.blockSize: block size 32K must be a power of two/],
    ['a block size above 256 MiB', (doc) => { doc.blockSize = '512M' }, /block size 512M must be a power of two/],
    ['a block size that is not a size', (doc) => { doc.blockSize = 'big' }, /"big" is not a size/],
    ['no write pool', (doc) => { doc.pools[0].role = 'archive' }, /needs exactly one pool with role write, found 0/],
    ['no archive pool', (doc) => { doc.pools = [doc.pools[0]] }, /needs at least one pool with role archive/],
    ['an unknown role', (doc) => { doc.pools[1].role = 'cold' }, /role "cold" must be one of write, archive/],
    ['an unknown placement policy', (doc) => { doc.pools[1].placement = 'random' }, /placement "random" must be one of/],
    ['a pool rate below 1M', (doc) => { doc.pools[1].rate = '512K' }, /^pools\[1\]\.rate: rate 512K per second is too low; use at least 1M$/],
    ['a pool rate that is not a size', (doc) => { doc.pools[1].rate = 'fast' }, /^pools\[1\]\.rate: rate "fast" is not a size/],
    ['a duplicate pool name', (doc) => { doc.pools[1].name = 'write' }, /pool name write is used twice/],
    ['a duplicate drive name across pools', (doc) => { doc.pools[0].drives = {smr0: 'write/ssd0'} }, /drive name smr0 is used twice/],
    ['a zero parity count', (doc) => { doc.pools[1].erasure = {data: 4, parity: 0} }, /erasure.parity must be a whole number of at least 1/],
    ['a bad pool name', (doc) => { doc.pools[1].name = 'my pool' }, /pool name "my pool" must be/],
    ['a cache that cannot hold two of the largest blocks', (doc) => { doc.pools[1].blockSize = '64M'; doc.mount = {cacheSize: '64M'} },
      /^mount\.cacheSize: cache size 64M cannot hold 2 blocks of 64M \(pool archive\); use at least 128M$/],
    ['an unknown log level', (doc) => { doc.mount = {logLevel: 'verbose'} }, /^mount\.logLevel: log level verbose is not one of error, warning, info, debug/],
    ['a schedule of no time', (doc) => { doc.mount = {tierEvery: '0s'} }, /^mount\.tierEvery: tierEvery must be longer than zero/],
    ['a fill level past full', (doc) => { doc.mount = {tierAtFill: '120%'} }, /^mount\.tierAtFill: tierAtFill "120%" must be a fill level above 0% and below 100%, like 80%$/],
    ['a busy level that is not a size', (doc) => { doc.mount = {busyAbove: 'fast'} }, /^mount\.busyAbove: mount\.busyAbove "fast" is not a size/],
    ['a read-ahead window out of range', (doc) => { doc.mount = {readAhead: '64K'} }, /^mount\.readAhead: read-ahead 64K is out of range; use 128K to 256M/],
  ]
  for (const [what, edit, expected] of cases) {
    it(`reports ${what} on one line`, () => {
      const problems = problemsOf(variant(edit))
      assert.ok(problems.some((line) => expected.test(line)), `got:\n${problems.join('\n')}`)
      for (const line of problems) assert.ok(!line.includes('\n'), 'one line per problem')
    })
  }

  it('reports every problem at once', () => {
    const problems = problemsOf(variant((doc) => {
      doc.colour = 'red'
      doc.blockSize = '3M'
      doc.pools[0].drives.ssd0 = 'nowhere'
    }))
    assert.equal(problems.length, 3, problems.join('\n'))
  })

  it('reports YAML syntax errors and a missing file clearly', () => {
    assert.match(problemsOf('pools: [')[0]!, /is not valid YAML/)
    assert.throws(() => loadConfig(path.join(root, 'absent.yaml')), (error) => isShmrError(error, 'BAD_CONFIG') && /does not exist/.test(error.message))
  })

  it('reports an unreadable directory', {skip: process.getuid?.() === 0 ? 'root reads every directory' : false}, () => {
    fs.chmodSync(path.join(root, 'archive', 'smr2'), 0o000)
    try {
      assert.ok(problemsOf(variant(() => {})).some((line) => /not readable and writable/.test(line)))
    } finally {
      fs.chmodSync(path.join(root, 'archive', 'smr2'), 0o755)
    }
  })
})

describe('tier rules in the config', () => {
  const root = tempDir()
  const config = fixtureConfig(root)
  const withRules = (rules: string): string => `${fs.readFileSync(config.file, 'utf8')}tiers:\n${rules}`

  it('round-trips rules through formatConfig', () => {
    const parsed = parseConfig(withRules(`  - {name: a, match: {path: "/m/**", minSize: 1000001, olderThan: 7d, xattr: x}, action: {pool: archive, scheme: 3+2, head: 64M}}\n  - {name: b, match: {}, action: {keep: true}}\n`), config.file)
    assert.equal(parsed.tiers.length, 2)
    assert.deepEqual(parseConfig(formatConfig(parsed), config.file).tiers, parsed.tiers)
  })

  for (const [what, rule, expected] of [
    ['an unknown pool', '{name: a, match: {}, action: {pool: tape}}', /pool tape does not exist/],
    ['a bad glob', '{name: a, match: {path: "movies/*"}, action: {keep: true}}', /must be a glob starting with \//],
    ['a scheme too wide for the pool', '{name: a, match: {}, action: {pool: archive, scheme: 8+3}}', /scheme 8\+3 needs 11 drives, pool archive has 6/],
    ['an unknown match key', '{name: a, match: {colour: red}, action: {keep: true}}', /colour: unknown key/],
  ] as const) {
    it(`reports ${what}`, () => {
      assert.throws(() => parseConfig(withRules(`  - ${rule}\n`), config.file), (error) => isShmrError(error, 'BAD_CONFIG') && error.details.some((line) => expected.test(line)))
    })
  }
})

describe('config: bucket drives of object stores', () => {
  const withBuckets = (edit: (doc: Record<string, any>) => void = () => {}): string => variant((doc) => {
    doc.objectStores = {swift: {endpoint: 'http://127.0.0.1:8080', capacity: '10T', requestTimeout: '5s'}}
    doc.pools[1].drives = Object.fromEntries([0, 1, 2, 3, 4, 5].map((i) => [`b${i}`, {objectStore: 'swift', bucket: `shmr-b${i}`, ...(i === 0 ? {prefix: 'a/b'} : {})}]))
    edit(doc)
  })

  it('loads archive drives that are buckets, and round-trips them through formatConfig', () => {
    const config = parseConfig(withBuckets(), file)
    const drive = config.pools[1]!.drives[0]!
    assert.equal(drive.dir, undefined)
    assert.deepEqual(drive.bucket, {bucket: 'shmr-b0', prefix: 'a/b/', store: config.objectStores[0]})
    assert.deepEqual(config.objectStores[0], {name: 'swift', endpoint: 'http://127.0.0.1:8080', region: 'us-east-1', pathStyle: true,
      capacityBytes: 10 * 2 ** 40, requestTimeoutMs: 5000})
    assert.deepEqual(parseConfig(formatConfig(config), file), config)
  })

  it('refuses a bucket in the write pool, an unknown store, a bad bucket name, a bucket used twice and an endpoint with keys in it', () => {
    const problems = problemsOf(withBuckets((doc) => {
      doc.pools[0].drives.ssd1 = {objectStore: 'swift', bucket: 'shmr-w'}
      doc.pools[1].drives.b1.objectStore = 'nowhere'
      doc.pools[1].drives.b2.bucket = 'Bad_Name'
    }))
    assert.ok(problems.some((line) => /pools\[0\]\.drives\.ssd1: a write pool's drives must be directories/.test(line)), problems.join('\n'))
    assert.ok(problems.some((line) => /drives\.b1: there is no object store named nowhere/.test(line)), problems.join('\n'))
    assert.ok(problems.some((line) => /drives\.b2: bucket Bad_Name is not a valid bucket name/.test(line)), problems.join('\n'))
    const twice = problemsOf(withBuckets((doc) => { doc.pools[1].drives.b4.bucket = 'shmr-b3' }))
    assert.ok(twice.some((line) => /bucket s3:\/\/shmr-b3\/ .* is used twice/.test(line)), twice.join('\n'))
    const keyed = problemsOf(withBuckets((doc) => { doc.objectStores.swift.endpoint = 'http://key:secret@127.0.0.1:8080' }))
    assert.ok(keyed.some((line) => /objectStores\.swift: endpoint must not carry credentials/.test(line)), keyed.join('\n'))
    assert.doesNotMatch(keyed.join('\n'), /secret/)
  })

  it('reads credentials from a file only its owner can read, or from the environment', () => {
    const config = parseConfig(withBuckets(), file)
    const store = config.objectStores[0]!
    const keys = path.join(tempDir(), 'keys')
    fs.writeFileSync(keys, 'accessKey = AK\nsecretKey = SK\n', {mode: 0o644})
    assert.throws(() => readCredentials({...store, credentialsFile: keys}), (error) => isShmrError(error, 'BAD_CONFIG') && /can be read by others/.test(error.message) && error.hint === `chmod 600 ${keys}`)
    fs.chmodSync(keys, 0o600)
    assert.deepEqual(readCredentials({...store, credentialsFile: keys}), {accessKey: 'AK', secretKey: 'SK'})
    const saved = {id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY}
    try {
      delete process.env.AWS_ACCESS_KEY_ID
      assert.throws(() => readCredentials(store), (error) => isShmrError(error, 'BAD_CONFIG') && /has no credentials/.test(error.message))
      process.env.AWS_ACCESS_KEY_ID = 'EAK'
      process.env.AWS_SECRET_ACCESS_KEY = 'ESK'
      assert.deepEqual(readCredentials(store), {accessKey: 'EAK', secretKey: 'ESK'})
    } finally {
      for (const [name, value] of [['AWS_ACCESS_KEY_ID', saved.id], ['AWS_SECRET_ACCESS_KEY', saved.secret]] as const) {
        if (value === undefined) delete process.env[name]
        else process.env[name] = value
      }
    }
  })
})
