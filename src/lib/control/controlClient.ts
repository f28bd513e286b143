import net from 'node:net'
import path from 'node:path'
import {ShmrError, systemErrorCode, type ShmrErrorCode} from '../errors.js'
import {CONTROL_SOCKET_FILE} from '../format/constants.js'
import {CONTROL_PROTOCOL_VERSION, type ControlEvent, type ControlReply, type ControlRequest} from './protocol.js'

/** A request as a command writes it: askServer adds the protocol version. */
export type Unversioned<T> = T extends unknown ? Omit<T, 'v'> : never

/**
 * Sends one request to the server mounting the filesystem of `metadataDir` and resolves with its
 * result; the server's error comes back as the same ShmrError.
 */
export async function askServer(metadataDir: string, request: Unversioned<ControlRequest>, onEvent?: (event: ControlEvent) => void): Promise<unknown> {
  const socketPath = path.join(metadataDir, CONTROL_SOCKET_FILE)
  const line = await new Promise<string>((resolve, reject) => {
    let received = ''
    const socket = net.createConnection(socketPath, () => socket.write(`${JSON.stringify({v: CONTROL_PROTOCOL_VERSION, ...request})}\n`))
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => {
      received += chunk
      // Event lines come before the reply: each is handed on as it arrives.
      for (let end = received.indexOf('\n'); end >= 0; end = received.indexOf('\n')) {
        const next = received.slice(0, end)
        const event = parseEvent(next)
        if (!event) return
        received = received.slice(end + 1)
        onEvent?.(event)
      }
    })
    socket.on('end', () => resolve(received))
    socket.on('error', (error) => {
      const code = systemErrorCode(error)
      reject(new ShmrError(code === 'EACCES' ? 'PERMISSION_DENIED' : 'UNAVAILABLE', code === 'EACCES'
        ? `the mount's control socket ${socketPath} is not this user's`
        : `the mount's control socket ${socketPath} does not answer (${code ?? error.message})`, {
        hint: code === 'EACCES' ? 'run the command as the user the mount runs as (root)' : 'is the server still running? `shmr umount -c CONFIG` clears a dead mount',
      }))
    })
  })
  const reply = parseReply(line.split('\n')[0] ?? '')
  if (!reply.ok) throw new ShmrError(reply.error.code as ShmrErrorCode, reply.error.message, {hint: reply.error.hint})
  return reply.result
}

/** An event line, or undefined when the line is something else (the reply). */
function parseEvent(line: string): ControlEvent | undefined {
  try {
    const parsed = JSON.parse(line) as ControlEvent
    return typeof parsed === 'object' && parsed !== null && 'event' in parsed ? parsed : undefined
  } catch {
    return undefined
  }
}

function parseReply(line: string): ControlReply {
  try {
    const reply = JSON.parse(line) as ControlReply
    if (typeof reply === 'object' && reply !== null && typeof reply.ok === 'boolean') return reply
  } catch {
    // Said below.
  }
  throw new ShmrError('UNAVAILABLE', `the mount's control socket answered something that is not a reply: ${JSON.stringify(line.slice(0, 80))}`)
}
