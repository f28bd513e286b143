import net from 'node:net'

/**
 * A TCP relay in front of a real server, for the faults a network puts between shmr and an object
 * store: it forwards both ways unchanged until told to cut answers off. It also counts the HTTP
 * 503 answers it carried, so a test can prove the store did throttle.
 */
export interface FaultRelay {
  /** The URL to give shmr instead of the server's. */
  readonly endpoint: string
  /** The next `count` connections are closed after `afterBytes` bytes of answer: a drop mid-answer. */
  cutAnswers(count: number, afterBytes: number): void
  /** Connections cut so far. */
  readonly cuts: number
  /** HTTP 503 status lines carried from the server so far. */
  readonly unavailableAnswers: number
  stop(): Promise<void>
}

const STATUS_503 = Buffer.from('HTTP/1.1 503 ')

export async function startFaultRelay(target: string): Promise<FaultRelay> {
  const url = new URL(target)
  const sockets = new Set<net.Socket>()
  let cutsLeft = 0
  let cutAfterBytes = 0
  let cuts = 0
  let unavailableAnswers = 0

  const server = net.createServer((client) => {
    const upstream = net.connect(Number(url.port), url.hostname)
    sockets.add(client).add(upstream)
    const close = (): void => {
      client.destroy()
      upstream.destroy()
      sockets.delete(client)
      sockets.delete(upstream)
    }
    client.on('error', close).on('close', close)
    upstream.on('error', close).on('close', close)
    client.pipe(upstream)
    let answered = 0
    // The tail of the previous chunk, so that a status line split between two chunks is counted.
    let tail = Buffer.alloc(0)
    upstream.on('data', (chunk: Buffer) => {
      const seen = Buffer.concat([tail, chunk])
      for (let at = seen.indexOf(STATUS_503); at >= 0; at = seen.indexOf(STATUS_503, at + 1)) unavailableAnswers++
      tail = seen.subarray(Math.max(0, seen.length - STATUS_503.length + 1))
      if (cutsLeft > 0 && answered + chunk.length > cutAfterBytes) {
        cutsLeft--
        cuts++
        client.write(chunk.subarray(0, Math.max(0, cutAfterBytes - answered)), () => close())
        upstream.pause()
        return
      }
      answered += chunk.length
      if (!client.write(chunk)) {
        upstream.pause()
        client.once('drain', () => upstream.resume())
      }
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  const {port} = server.address() as net.AddressInfo
  return {
    endpoint: `http://127.0.0.1:${port}`,
    cutAnswers: (count, afterBytes) => {
      cutsLeft = count
      cutAfterBytes = afterBytes
    },
    get cuts() {
      return cuts
    },
    get unavailableAnswers() {
      return unavailableAnswers
    },
    stop: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
