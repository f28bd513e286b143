import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {describe, it} from 'node:test'
import {fileURLToPath, pathToFileURL} from 'node:url'
import {execa} from 'execa'

/**
 * The blocks addon's coding threads (native/blocks/coders.c), each case in a process of its own:
 * the thread count is fixed when a process starts coding, and what is tested is how results come
 * back and how a process or worker ends.
 */
const codecModule = pathToFileURL(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/lib/erasure/codec.js')).href

async function runScript(script: string, threads: number): Promise<string> {
  const {stdout} = await execa(process.execPath, ['--input-type=module', '-e', `import {createCodec} from ${JSON.stringify(codecModule)}\n${script}`],
    {env: {SHMR_CODER_THREADS: String(threads)}, timeout: 60_000})
  return stdout
}

/** `count` sets of 4+2 shards: random data, zeroed parity; and copies of sets. */
const makeSets = `
import {randomFillSync} from 'node:crypto'
const sets = (count, shardBytes) => Array.from({length: count}, () => Array.from({length: 6}, (_, i) =>
  i < 4 ? randomFillSync(new Uint8Array(shardBytes)) : new Uint8Array(shardBytes)))
const copies = (of) => of.map((set) => set.map((shard) => shard.slice()))
`

describe('coding threads', () => {
  for (const threads of [1, 3]) {
    it(`with ${threads} thread(s), many calls in flight each get their own parity`, async () => {
      const stdout = await runScript(`${makeSets}
const codec = createCodec({dataShards: 4, parityShards: 2})
const one = sets(96, 65536), many = copies(one)
for (const set of one) await codec.encode(set)
await Promise.all(many.map((set) => codec.encode(set)))
const same = many.filter((set, n) => set.every((shard, i) => Buffer.from(shard).equals(one[n][i]))).length
const nonzero = many.filter((set) => set[4].some((byte) => byte !== 0)).length
process.stdout.write(same + ' ' + nonzero)`, threads)
      assert.equal(stdout, '96 96')
    })
  }

  it('keeps the process alive until a call resolves, and lets it exit after', async () => {
    // Nothing but the coding job holds the event loop: a pool that did not hold it would let the
    // process end before the promise settles; one that held it for good would hang (timeout).
    const stdout = await runScript(`${makeSets}
createCodec({dataShards: 4, parityShards: 2}).encode(sets(1, 16 << 20)[0]).then(() => process.stdout.write('resolved'))`, 2)
    assert.equal(stdout, 'resolved')
  })

  it('serves worker threads, and survives one ended with calls in flight', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shmr-coders-'))
    try {
      const worker = path.join(dir, 'worker.mjs')
      fs.writeFileSync(worker, `import {parentPort, workerData} from 'node:worker_threads'
import {createCodec} from ${JSON.stringify(codecModule)}
${makeSets}
const calls = sets(32, 256 << 10).map((set) => createCodec({dataShards: 4, parityShards: 2}).encode(set))
if (workerData.end) parentPort.postMessage('started')
else parentPort.postMessage(await Promise.all(calls).then(() => 'done'))`)
      const stdout = await runScript(`${makeSets}
import {Worker} from 'node:worker_threads'
const inWorker = (end) => new Promise((resolve, reject) => {
  const worker = new Worker(${JSON.stringify(worker)}, {workerData: {end}, execArgv: []})
  worker.once('message', (message) => { if (end) void worker.terminate(); resolve(message) })
  worker.once('error', reject)
})
const finished = await inWorker(false)
const ended = await inWorker(true)
const set = sets(1, 4096)[0]
await createCodec({dataShards: 4, parityShards: 2}).encode(set)
process.stdout.write(finished + ' ' + ended + ' ' + set[4].some((byte) => byte !== 0))`, 2)
      assert.equal(stdout, 'done started true')
    } finally {
      fs.rmSync(dir, {recursive: true, force: true})
    }
  })
})
