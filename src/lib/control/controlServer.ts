import fs from 'node:fs'
import net from 'node:net'
import {isShmrError, ShmrError, systemErrorCode} from '../errors.js'
import {PRIVATE_FILE_MODE} from '../format/constants.js'
import type {Log} from '../log.js'
import {blocksAddon} from '../native/blocksAddon.js'
import {MAX_REQUEST_BYTES, parseRequest, type ControlEvent, type ControlOp, type ControlReply, type ControlRequest} from './protocol.js'

/** What a handler may do besides answering: send events, and notice its client gone or the server stopping. */
export interface RequestContext {
  emit(event: ControlEvent): void
  readonly signal: AbortSignal
}

/** What the server does for each operation: the result goes back as the reply. */
export type ControlHandlers = {readonly [Op in ControlOp]: (request: Extract<ControlRequest, {op: Op}>, context: RequestContext) => Promise<unknown>}

export interface ControlServer {
  /** Stops taking requests, stops the work under way at its next safe point and waits for it, and removes the socket. */
  close(): Promise<void>
}

/**
 * Listens on the control socket. Only the user the server runs as can reach it: the socket is
 * 0600 inside the private metadata directory (0700). A request that does not parse, or is too
 * long, gets an error reply and one log line; the server serves on.
 */
export async function startControlServer(socketPath: string, handlers: ControlHandlers, log: Log): Promise<ControlServer> {
  // Left by a server that died: the filesystem's lock (held by now) says no other server runs.
  fs.rmSync(socketPath, {force: true})
  const running = new Set<{readonly abort: AbortController; readonly settled: Promise<unknown>}>()
  const server = net.createServer((socket) => serve(socket, handlers, log, running))
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(socketPath, () => {
        server.off('error', reject)
        resolve()
      })
    })
    fs.chmodSync(socketPath, PRIVATE_FILE_MODE)
  } catch (error) {
    // The mount serves on without it (a socket path has at most 107 bytes): commands that need it say so.
    log(`no control socket at ${socketPath}: ${(error as Error).message}; shmr status and flush cannot reach this mount`, 'warning')
    server.close()
    return {close: async () => {}}
  }
  server.unref()
  return {
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      fs.rmSync(socketPath, {force: true})
      for (const task of running) task.abort.abort(new ShmrError('UNAVAILABLE', 'the filesystem is being unmounted'))
      await Promise.allSettled([...running].map((task) => task.settled))
      // Connections still open (a client that never sent its line) do not hold the stop.
      await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 100).unref())])
    },
  }
}

function serve(socket: net.Socket, handlers: ControlHandlers, log: Log, running: Set<{readonly abort: AbortController; readonly settled: Promise<unknown>}>): void {
  let received = ''
  let answered = false
  // The second guard after the socket's mode: only the server's own user (or root) is served.
  const fd = (socket as unknown as {_handle?: {fd?: number}})._handle?.fd
  const uid = fd === undefined ? -1 : blocksAddon().peerUidSync(fd)
  const own = process.getuid?.()
  if (uid !== own && uid !== 0) {
    log(`control socket: refused a connection from user ${uid} (the server runs as ${own})`, 'warning')
    socket.on('error', () => {})
    socket.end(`${JSON.stringify({ok: false, error: {code: 'PERMISSION_DENIED', message: 'the control socket serves only the user the mount runs as'}} satisfies ControlReply)}\n`)
    return
  }
  const reply = (answer: ControlReply): void => {
    answered = true
    socket.end(`${JSON.stringify(answer)}\n`)
  }
  const refuse = (why: string): void => {
    log(`control socket: refused a request: ${why}`, 'warning')
    reply({ok: false, error: {code: 'BAD_ARGUMENT', message: `bad control request: ${why}`}})
  }
  socket.setEncoding('utf8')
  socket.on('error', () => {}) // a client gone mid-reply is its own affair
  socket.on('data', (chunk: string) => {
    if (answered) return
    received += chunk
    const end = received.indexOf('\n')
    if (end < 0) {
      if (received.length > MAX_REQUEST_BYTES) refuse(`longer than ${MAX_REQUEST_BYTES} bytes`)
      return
    }
    const request = parseRequest(received.slice(0, end))
    if (typeof request === 'string') return refuse(request)
    answered = true
    const handler = handlers[request.op] as (request: ControlRequest, context: RequestContext) => Promise<unknown>
    const abort = new AbortController()
    // A client gone before its reply (Ctrl-C) stops its work at the next safe point.
    socket.on('close', () => abort.abort(new ShmrError('UNAVAILABLE', 'the command that asked for it is gone')))
    const emit = (event: ControlEvent): void => {
      if (!socket.destroyed) socket.write(`${JSON.stringify(event)}\n`)
    }
    const settled = handler(request, {emit, signal: abort.signal}).then((result) => reply({ok: true, result}), (error: unknown) => {
      if (isShmrError(error)) return reply({ok: false, error: {code: error.code, message: error.message, hint: error.hint}})
      if (abort.signal.aborted && isShmrError(abort.signal.reason)) {
        const reason = abort.signal.reason
        return reply({ok: false, error: {code: reason.code, message: `${request.op} stopped: ${reason.message}`}})
      }
      log(`control socket: ${request.op} failed: ${(error as Error).message}`, 'error')
      reply({ok: false, error: {code: 'IO', message: `${request.op} failed: ${systemErrorCode(error) ?? (error as Error).message}`}})
    })
    const task = {abort, settled}
    running.add(task)
    void settled.finally(() => running.delete(task))
  })
  socket.on('end', () => {
    if (!answered && received.length > 0) refuse('the request ended without a newline')
  })
}
