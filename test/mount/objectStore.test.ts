import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {after, before, describe, it} from 'node:test'
import type {BucketDriveConfig, ObjectStoreConfig} from '../../src/lib/config/types.js'
import {objectStoreClient} from '../../src/lib/objectStore/objectStoreClient.js'
import {MetaStore} from '../../src/lib/meta/metaStore.js'
import {hasStackTrace, shmr, type CliResult} from '../helpers/cli.js'
import {fixtureConfig} from '../helpers/fixtureFs.js'
import {sh, shOk, withMount, type MountedFs} from '../helpers/mounted.js'
import {startFaultRelay} from '../helpers/faultRelay.js'
import {startSwift, swiftMissing, type SwiftServer} from '../helpers/swiftServer.js'
import {patternBytes, tempDir} from '../helpers/tempDir.js'

/**
 * Archive drives in an object store: a real OpenStack Swift with its S3 API, six buckets as the
 * six drives of a 4+2 pool, behind three proxies (three stores): s0 holds b0, b1 and b2, s1 holds
 * b3 and b4, s2 holds b5. Stopping s1 takes two drives away (reads rebuild around them); stopping
 * s0 takes three (reads fail, naming the blocks). A fourth proxy throttles writes, as a busy store does.
 */
const missing = swiftMissing()

describe('archive drives in an S3-compatible object store (OpenStack Swift)', {skip: missing}, () => {
  let swift: SwiftServer
  let credentialsFile: string
  const outputs: string[] = []
  const run = async (args: readonly string[], env?: Record<string, string>): Promise<CliResult> => {
    const result = await shmr(args, env ? {env} : {})
    outputs.push(result.stdout, result.stderr)
    return result
  }

  before(async () => {
    swift = await startSwift({proxies: 4, throttle: {proxy: 3, putsPerSecond: 0.5}})
    credentialsFile = path.join(tempDir(), 'swift.credentials')
    fs.writeFileSync(credentialsFile, `# test keys\naccessKey = ${swift.accessKey}\nsecretKey = ${swift.secretKey}\n`, {mode: 0o600})
  })
  after(async () => {
    await swift?.stop()
  })

  const storesAndBuckets = (run: string, requestTimeoutMs: number): {objectStores: ObjectStoreConfig[]; drives: BucketDriveConfig[]} => {
    const objectStores = swift.endpoints.map((endpoint, i): ObjectStoreConfig => ({
      name: `s${i}`, endpoint, region: 'us-east-1', pathStyle: true, capacityBytes: 2 ** 40, requestTimeoutMs, credentialsFile,
    }))
    const storeOf = [0, 0, 0, 1, 1, 2]
    const drives = storeOf.map((store, i): BucketDriveConfig => ({name: `b${i}`, bucket: {store: objectStores[store]!, bucket: `${run}-b${i}`, prefix: 'drive/'}}))
    return {objectStores, drives}
  }

  const withStoreMount = (run: string, body: (m: MountedFs, buckets: BucketDriveConfig[]) => Promise<void>, requestTimeoutMs = 3000): Promise<void> => {
    const archiveBuckets = storesAndBuckets(run, requestTimeoutMs)
    return withMount({blockSizeBytes: 64 * 1024, archiveBlockSizeBytes: 1024 * 1024, archiveBuckets}, (m) => body(m, archiveBuckets.drives))
  }

  /** Copies files in and shifts them to the buckets: offline, or by the mounted server. */
  const filesInTheStore = async (m: MountedFs, how: 'offline' | 'mounted'): Promise<string> => {
    const source = tempDir()
    await shOk(`head -c 5000001 /dev/urandom > ${source}/big && head -c 70000 /dev/urandom > ${source}/small && mkdir ${source}/many && for i in $(seq 1 20); do head -c $((i * 977)) /dev/urandom > ${source}/many/f$i; done`)
    await shOk(`cp -r ${source}/big ${source}/small ${source}/many ${m.mnt}/`)
    if (how === 'offline') await m.unmount()
    const shifted = await run(['shift', '-c', m.config.file, '--recursive', '/big', '/small', '/many', '--json'])
    assert.equal(shifted.exitCode, 0, shifted.stderr)
    assert.deepEqual((JSON.parse(shifted.stdout) as {files: {shifted: number}}).files.shifted, 22)
    if (how === 'offline') await m.mount()
    return source
  }

  const readsRight = async (m: MountedFs, source: string): Promise<void> => {
    await shOk('sync && echo 3 > /proc/sys/vm/drop_caches')
    assert.equal(await shOk(`cd ${source} && find big small many -type f | sort | xargs sha256sum`), await shOk(`cd ${m.mnt} && find big small many -type f | sort | xargs sha256sum`))
  }

  it('shifts to six bucket drives and reads through the mount, with two unreachable, and fails naming the blocks with three', async () => {
    await withStoreMount('a', async (m, buckets) => {
      const source = await filesInTheStore(m, 'offline')
      // Every shard is an object of a bucket drive, under the drive's prefix, keyed as on a directory drive.
      const client = objectStoreClient(buckets[0]!.bucket.store)
      const keys = (await Promise.all(buckets.map((drive) => client.list(drive.bucket.bucket, drive.bucket.prefix)))).map((listed) => listed.map((object) => object.key))
      assert.ok(keys.every((listed) => listed.includes('drive/.shmr-drive.json')), 'each bucket holds its drive identity')
      assert.ok(keys.every((listed) => listed.some((key) => /^drive\/shmr\/[0-9a-f]{2}\/[0-9a-f]{2}\/i\d+\.b\d+\..*\.shard$/.test(key))), 'each bucket holds shards')
      await m.remount()
      await readsRight(m, source)

      // Store s1 (b3, b4) down: every block is rebuilt from the other four.
      await swift.stopProxy(1)
      await m.remount()
      await readsRight(m, source)
      const status = await run(['status', '-c', m.config.file, '--json'])
      assert.equal(status.exitCode, 0, status.stderr)

      // A store that stops answering (a frozen proxy) costs its request timeout, not a hung mount.
      await swift.startProxy(1)
      swift.freezeProxy(1, true)
      try {
        await m.remount()
        await readsRight(m, source)
      } finally {
        swift.freezeProxy(1, false)
      }
      await m.remount()
      await readsRight(m, source)

      // Store s0 (b0, b1, b2) down: three of six gone, reads fail cleanly.
      await swift.stopProxy(0)
      await m.remount()
      await shOk('echo 3 > /proc/sys/vm/drop_caches')
      const failed = await sh(`cat ${m.mnt}/big > /dev/null`)
      assert.notEqual(failed.exitCode, 0)
      assert.match(failed.stderr, /Input\/output error/)
      const log = fs.readFileSync(path.join(m.config.metadataDir, 'mount.log'), 'utf8')
      assert.match(log, /block \d+ .*cannot be read: .*on b[012]: drive unavailable/)
      await swift.startProxy(0)
      await m.remount()
      await readsRight(m, source)

      // The SSD lost, metadata and write pool both: recover takes the snapshot from the buckets.
      await m.unmount()
      fs.rmSync(m.config.metadataDir, {recursive: true})
      fs.rmSync(m.config.pools[0]!.drives[0]!.dir!, {recursive: true})
      const recovered = await run(['recover', '-c', m.config.file, '--json'])
      assert.equal(recovered.exitCode, 0, recovered.stderr)
      assert.match((JSON.parse(recovered.stdout) as {snapshot: {file: string}}).snapshot.file, /^s3:\/\/a-b\d\/drive\/shmr-meta\/snapshot\.\d+$/)
      await m.mount()
      await readsRight(m, source)
    })
  })

  it('a shift by the mounted server; verify --repair rewrites deleted and damaged objects; decode reads the buckets directly and a downloaded copy', async () => {
    await withStoreMount('b', async (m, buckets) => {
      // Shifted by the mounted server this time: it writes to the buckets while it serves.
      const source = await filesInTheStore(m, 'mounted')
      await readsRight(m, source)
      await m.unmount()
      const client = objectStoreClient(buckets[0]!.bucket.store)
      const shardsOf = async (drive: BucketDriveConfig): Promise<string[]> =>
        (await client.list(drive.bucket.bucket, `${drive.bucket.prefix}shmr/`)).map((object) => object.key)
      // Three objects of b5 deleted, one of b4 overwritten with other bytes.
      const deleted = (await shardsOf(buckets[5]!)).slice(0, 3)
      for (const key of deleted) await client.remove(buckets[5]!.bucket.bucket, key)
      const damagedKey = (await shardsOf(buckets[4]!))[0]!
      await client.put(buckets[4]!.bucket.bucket, damagedKey, Buffer.alloc((await client.stat(buckets[4]!.bucket.bucket, damagedKey))!.sizeBytes, 7))
      const found = await run(['verify', '-c', m.config.file, '--json'])
      assert.notEqual(found.exitCode, 0)
      const report = JSON.parse(found.stdout) as {files: Array<{badShards: Array<{drive: string; fault: string}>}>}
      const bad = report.files.flatMap((file) => file.badShards).map((shard) => `${shard.drive} ${shard.fault}`).sort()
      assert.deepEqual(bad, ['b4 checksum mismatch', 'b5 missing', 'b5 missing', 'b5 missing'], found.stdout)
      const repaired = await run(['verify', '-c', m.config.file, '--repair', '--json'])
      assert.equal(repaired.exitCode, 0, repaired.stderr)
      assert.equal((JSON.parse(repaired.stdout) as {summary: {shardsRepaired: number}}).summary.shardsRepaired, 4)
      const clean = await run(['verify', '-c', m.config.file, '--json'])
      assert.equal(clean.exitCode, 0, clean.stdout)
      for (const key of deleted) assert.ok(await client.stat(buckets[5]!.bucket.bucket, key), `${key} is back`)

      // b5 emptied whole, identity and all (a lost bucket made anew): repair adopts it and fills it.
      for (const {key} of await client.list(buckets[5]!.bucket.bucket, '')) await client.remove(buckets[5]!.bucket.bucket, key)
      const adopted = await run(['verify', '-c', m.config.file, '--repair', '--json'])
      assert.equal(adopted.exitCode, 0, adopted.stderr)
      assert.deepEqual((JSON.parse(adopted.stdout) as {drivesAdopted: string[]}).drivesAdopted, ['b5'])
      assert.ok((await shardsOf(buckets[5]!)).length > 0, 'b5 holds shards again')
      const cleanAgain = await run(['verify', '-c', m.config.file, '--json'])
      assert.equal(cleanAgain.exitCode, 0, cleanAgain.stdout)

      // decode straight from the store: keys from the environment, no config, no metadata.
      const env = {AWS_ACCESS_KEY_ID: swift.accessKey, AWS_SECRET_ACCESS_KEY: swift.secretKey}
      const urls = buckets.map((drive) => `s3://${drive.bucket.bucket}/${drive.bucket.prefix}`)
      const listed = await run(['decode', '--list', '--json', '--endpoint', swift.endpoints[2]!, ...urls], env)
      assert.equal(listed.exitCode, 0, listed.stderr)
      const files = JSON.parse(listed.stdout) as Array<{fileId: number; sizeBytes: number; health: string}>
      const big = files.find((file) => file.sizeBytes === 5000001)
      assert.equal(big?.health, 'complete')
      const out = path.join(tempDir(), 'big')
      const decoded = await run(['decode', '--endpoint', swift.endpoints[2]!, '--credentials-file', credentialsFile, ...urls, '--file', String(big.fileId), '-o', out])
      assert.equal(decoded.exitCode, 0, decoded.stderr)
      assert.equal(await shOk(`cmp ${source}/big ${out} && echo same`), 'same')

      // The metadata snapshot is on every bucket too: the whole tree comes back from the buckets alone.
      for (const drive of buckets) {
        assert.ok((await client.list(drive.bucket.bucket, `${drive.bucket.prefix}shmr-meta/`)).some((object) => /shmr-meta\/snapshot\.\d+$/.test(object.key)), `${drive.name} holds a snapshot`)
      }
      const tree = path.join(tempDir(), 'tree')
      const rebuilt = await run(['decode', '--tree', tree, '--endpoint', swift.endpoints[1]!, ...urls, '--json'], env)
      assert.equal(rebuilt.exitCode, 0, rebuilt.stderr)
      assert.equal(await shOk(`cd ${source} && find big small many -type f | sort | xargs sha256sum`), await shOk(`cd ${tree} && find big small many -type f | sort | xargs sha256sum`))

      // The buckets copied to directories (as an S3 sync would) decode the same, as directory drives.
      const copies = tempDir()
      for (const drive of buckets) {
        for (const key of await shardsOf(drive)) {
          const target = path.join(copies, drive.name, key)
          fs.mkdirSync(path.dirname(target), {recursive: true})
          const size = (await client.stat(drive.bucket.bucket, key))!.sizeBytes
          const bytes = Buffer.alloc(size)
          assert.equal(await client.getInto(drive.bucket.bucket, key, bytes), undefined)
          fs.writeFileSync(target, bytes)
        }
      }
      const fromCopy = path.join(tempDir(), 'big')
      const copied = await run(['decode', ...buckets.map((drive) => path.join(copies, drive.name)), '--file', String(big.fileId), '-o', fromCopy])
      assert.equal(copied.exitCode, 0, copied.stderr)
      assert.equal(await shOk(`cmp ${source}/big ${fromCopy} && echo same`), 'same')

      // gc and inspect work on bucket drives too.
      const gc = await run(['gc', '-c', m.config.file, '--json'])
      assert.equal(gc.exitCode, 0, gc.stderr)
      const overview = await run(['inspect', 'overview', '-c', m.config.file, '--json'])
      assert.equal(overview.exitCode, 0, overview.stderr)
      assert.match(overview.stdout, /s3:\/\/b-b0\/drive\//)
      await m.mount()
      await readsRight(m, source)
    })
  })

  it('a pool of three directory drives and three bucket drives: shift, reads with a store down, verify', async () => {
    const {objectStores, drives} = storesAndBuckets('x', 3000)
    const dirs = tempDir()
    const mixed = [drives[0]!, drives[3]!, drives[4]!, ...[0, 1, 2].map((i) => ({name: `smr${i}`, dir: path.join(dirs, `smr${i}`)}))]
    await withMount({blockSizeBytes: 64 * 1024, archiveBlockSizeBytes: 1024 * 1024, archiveBuckets: {objectStores, drives: mixed}}, async (m) => {
      const source = await filesInTheStore(m, 'mounted')
      // Every block has shards on both kinds: 4+2 over three and three.
      const client = objectStoreClient(objectStores[0]!)
      for (const drive of [drives[0]!, drives[3]!, drives[4]!]) assert.ok((await client.list(drive.bucket.bucket, `${drive.bucket.prefix}shmr/`)).length > 0, drive.name)
      for (const i of [0, 1, 2]) assert.ok((fs.readdirSync(path.join(dirs, `smr${i}`, 'shmr'), {recursive: true}) as string[]).some((name) => name.endsWith('.shard')), `smr${i}`)
      // s1 (b3, b4) down: two of each block's six shards gone, reads rebuilt from the three directories and b0.
      await swift.stopProxy(1)
      try {
        await m.remount()
        await readsRight(m, source)
      } finally {
        await swift.startProxy(1)
      }
      await m.unmount()
      const verified = await run(['verify', '-c', m.config.file, '--json'])
      assert.equal(verified.exitCode, 0, verified.stdout)
      await m.mount()
    })
  })

  it('bucket drives come and go: drive add s3://..., drive drain and drive replace by another bucket while mounted, then drive remove', async () => {
    await withStoreMount('c', async (m, buckets) => {
      const source = await filesInTheStore(m, 'mounted')
      const client = objectStoreClient(buckets[0]!.bucket.store)
      const added = await run(['drive', 'add', '-c', m.config.file, 'archive', 'b6', 's3://c-b6/drive', '--object-store', 's1', '--json'])
      assert.equal(added.exitCode, 0, added.stderr)
      assert.match((JSON.parse(added.stdout) as {dir: string}).dir, /^s3:\/\/c-b6\/drive\/ \(s1, http:/)
      assert.match(fs.readFileSync(m.config.file, 'utf8'), /b6: \{ ?objectStore: s1, bucket: c-b6, prefix: drive\/ ?\}/)
      // Refused, changing nothing: a bucket another drive uses, and a store the config lacks.
      const taken = await run(['drive', 'add', '-c', m.config.file, 'archive', 'b7', 's3://c-b6/drive', '--object-store', 's1'])
      assert.equal(taken.exitCode, 2, taken.stderr)
      assert.match(taken.stderr, /is used by this filesystem already/)
      const nowhere = await run(['drive', 'add', '-c', m.config.file, 'archive', 'b7', 's3://c-b7'])
      assert.equal(nowhere.exitCode, 2, nowhere.stderr)
      assert.match(nowhere.stderr, /say which object store s3:\/\/c-b7 is in/)
      const drained = await run(['drive', 'drain', '-c', m.config.file, 'b0', '--json'])
      assert.equal(drained.exitCode, 0, drained.stderr)
      assert.deepEqual(await client.list(buckets[0]!.bucket.bucket, `${buckets[0]!.bucket.prefix}shmr/`), [], 'no shard left in b0\'s bucket')
      await readsRight(m, source)
      // b1 replaced by a new bucket of another store while mounted: its shards rebuilt there.
      const held = (await client.list(buckets[1]!.bucket.bucket, `${buckets[1]!.bucket.prefix}shmr/`)).map((object) => object.key.slice(buckets[1]!.bucket.prefix.length)).sort()
      assert.ok(held.length > 0)
      const replaced = await run(['drive', 'replace', '-c', m.config.file, 'b1', 's3://c-b1new', '--object-store', 's2', '--json'])
      assert.equal(replaced.exitCode, 0, replaced.stderr)
      assert.match((JSON.parse(replaced.stdout) as {to: string}).to, /^s3:\/\/c-b1new\/ \(s2, http:/)
      const rebuilt = (await client.list('c-b1new', 'shmr/')).map((object) => object.key).sort()
      assert.deepEqual(rebuilt, held, 'every shard b1 held, rebuilt in the new bucket')
      await readsRight(m, source)
      await m.unmount()
      const removed = await run(['drive', 'remove', '-c', m.config.file, 'b0'])
      assert.equal(removed.exitCode, 0, removed.stderr)
      assert.equal(await client.stat(buckets[0]!.bucket.bucket, `${buckets[0]!.bucket.prefix}.shmr-drive.json`), undefined, 'b0\'s identity is gone')
      const verified = await run(['verify', '-c', m.config.file, '--json'])
      assert.equal(verified.exitCode, 0, verified.stdout)
      await m.mount()
      await readsRight(m, source)
    })
  })

  it('waits out a store that throttles (503 SlowDown), and reads through answers cut off mid-way', async () => {
    // Six buckets of one store, reached through a relay that can cut connections, in front of the proxy that throttles.
    const relay = await startFaultRelay(swift.endpoints[3]!)
    try {
      const store: ObjectStoreConfig = {name: 't', endpoint: relay.endpoint, region: 'us-east-1', pathStyle: true, capacityBytes: 2 ** 40, requestTimeoutMs: 3000, credentialsFile}
      const drives = [0, 1, 2, 3, 4, 5].map((i): BucketDriveConfig => ({name: `t${i}`, bucket: {store, bucket: `t-b${i}`, prefix: ''}}))
      await withMount({blockSizeBytes: 64 * 1024, archiveBlockSizeBytes: 1024 * 1024, archiveBuckets: {objectStores: [store], drives}}, async (m) => {
        const source = tempDir()
        await shOk(`head -c 3145728 /dev/urandom > ${source}/big && head -c 70000 /dev/urandom > ${source}/small && cp ${source}/big ${source}/small ${m.mnt}/`)
        await m.unmount()
        // Four blocks, a shard of each in every bucket, at one write per bucket every 2 s: each write after
        // a bucket's first is refused (SlowDown) for up to 2 s, longer than four quick tries last.
        const shifted = await run(['shift', '-c', m.config.file, '/big', '/small', '--json'])
        assert.equal(shifted.exitCode, 0, shifted.stderr)
        assert.ok(relay.unavailableAnswers > 0, 'the store throttled the shift')
        const verified = await run(['verify', '-c', m.config.file, '--json'])
        assert.equal(verified.exitCode, 0, verified.stdout)
        await m.mount()

        // Three answers cut after 100 kB (a shard is 256 KiB): each request tried again, no shard read around.
        const logFile = path.join(m.config.metadataDir, 'mount.log')
        const logBefore = fs.readFileSync(logFile, 'utf8').length
        relay.cutAnswers(3, 100_000)
        await shOk('echo 3 > /proc/sys/vm/drop_caches')
        assert.equal(await shOk(`cd ${source} && sha256sum big small`), await shOk(`cd ${m.mnt} && sha256sum big small`))
        assert.equal(relay.cuts, 3)
        assert.doesNotMatch(fs.readFileSync(logFile, 'utf8').slice(logBefore), /read around|rebuilt the rows|cannot be read/)
      })
    } finally {
      await relay.stop()
    }
  })

  it('refuses wrong keys in one line, naming the store, at init and at mount, printing neither key', async () => {
    const keys = path.join(tempDir(), 'changing.keys')
    const writeKeys = (secret: string): void => fs.writeFileSync(keys, `accessKey = ${swift.accessKey}\nsecretKey = ${secret}\n`, {mode: 0o600})
    const {objectStores, drives} = storesAndBuckets('w', 3000)
    const stores = objectStores.map((store) => ({...store, credentialsFile: keys}))
    writeKeys('not-the-secret')
    const refusedInit = fixtureConfig(tempDir(), {archiveBuckets: {objectStores: stores, drives}})
    const init = await run(['init', '-c', refusedInit.file])
    assert.notEqual(init.exitCode, 0)
    assert.match(init.stderr, /object store s0: .*(SignatureDoesNotMatch|AccessDenied|signature)/i)
    assert.equal(MetaStore.exists(refusedInit.metadataDir), false)
    // A filesystem made with the right keys: mounted with wrong ones, it is refused, not served without its buckets.
    writeKeys(swift.secretKey)
    const config = fixtureConfig(tempDir(), {archiveBuckets: {objectStores: stores, drives}})
    assert.equal((await run(['init', '-c', config.file])).exitCode, 0)
    writeKeys('not-the-secret')
    const mount = await run(['mount', '-c', config.file, '--background'])
    try {
      assert.notEqual(mount.exitCode, 0)
      assert.match(mount.stderr, /object store s\d: .*(SignatureDoesNotMatch|AccessDenied|signature)/i)
    } finally {
      if (mount.exitCode === 0) await run(['umount', '-c', config.file])
    }
    for (const result of [init, mount]) {
      assert.ok(!hasStackTrace(result.stderr), result.stderr)
      assert.doesNotMatch(result.stderr + result.stdout, /not-the-secret/)
    }
  })

  it('puts a shard over 16 MiB in parts (multipart upload), and reads it back whole and by range', async () => {
    const {objectStores, drives} = storesAndBuckets('m', 30_000)
    const client = objectStoreClient(objectStores[0]!)
    const bucket = drives[0]!.bucket.bucket
    await client.makeBucket(bucket)
    const bytes = patternBytes(40 * 1024 * 1024 + 12345, 7)
    await client.put(bucket, 'big.shard', bytes)
    assert.equal((await client.stat(bucket, 'big.shard'))?.sizeBytes, bytes.length)
    const whole = Buffer.alloc(bytes.length)
    assert.equal(await client.getInto(bucket, 'big.shard', whole), undefined)
    assert.ok(whole.equals(bytes))
    const range = Buffer.alloc(100_000)
    assert.equal(await client.getRangeInto(bucket, 'big.shard', 20 * 1024 * 1024 + 5, range), undefined)
    assert.ok(range.equals(bytes.subarray(20 * 1024 * 1024 + 5, 20 * 1024 * 1024 + 5 + 100_000)))
    assert.equal(await client.getInto(bucket, 'big.shard', Buffer.alloc(10)), 'wrong size')
    assert.equal(await client.stat(bucket, 'absent.shard'), undefined)
  })

  it('never prints the credentials', () => {
    const log = outputs.join('\n')
    assert.ok(outputs.length > 10)
    assert.doesNotMatch(log, new RegExp(swift.secretKey))
    assert.doesNotMatch(log, new RegExp(swift.accessKey))
  })
})

if (missing) it(`object store tests: skipped, ${missing}`, {skip: missing}, () => {})
