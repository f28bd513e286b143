import type {ShmrErrorCode} from '../errors.js'

/**
 * The control protocol between commands and a running server (docs/CLI_ABI.md, "Control
 * socket"): one request per connection, a line of JSON; the server answers with zero or more
 * event lines (progress of long work) and one reply line. A request names the version it speaks;
 * a server refuses any other, so neither side misreads the other after an upgrade.
 */
export const CONTROL_PROTOCOL_VERSION = 1
/** The longest request line a server reads: requests are small; anything longer is not one. */
export const MAX_REQUEST_BYTES = 64 * 1024

export type ControlRequest =
  | {readonly v: number; readonly op: 'status'}
  /** Everything buffered (no target) or one file's data (a path or inode number), written out and durable. */
  | {readonly v: number; readonly op: 'flush'; readonly target?: string}

export type ControlOp = ControlRequest['op']
export const CONTROL_OPS: readonly ControlOp[] = ['status', 'flush']

export interface ServerStatus {
  readonly pid: number
  readonly mountpoint: string
  /** ISO 8601. */
  readonly mountedAt: string
  /** Blocks written through the mount and not yet stored (what `flush` writes out). */
  readonly pendingBlocks: number
  /** Work the server is doing for commands (empty until moves run inside it). */
  readonly tasks: readonly unknown[]
}

export interface FlushResult {
  /** `all`, or the target as given. */
  readonly flushed: string
  readonly seconds: number
}

export type ControlReply =
  | {readonly ok: true; readonly result: unknown}
  | {readonly ok: false; readonly error: {readonly code: ShmrErrorCode; readonly message: string; readonly hint?: string}}

/** A request line as received: checked field by field before anything acts on it. */
export function parseRequest(line: string): ControlRequest | string {
  let parsed: unknown
  try {
    parsed = JSON.parse(line)
  } catch {
    return 'not JSON'
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'not a JSON object'
  const request = parsed as Record<string, unknown>
  if (request.v !== CONTROL_PROTOCOL_VERSION) return `protocol version ${JSON.stringify(request.v)}, this server speaks ${CONTROL_PROTOCOL_VERSION}`
  if (!CONTROL_OPS.includes(request.op as ControlOp)) return `unknown operation ${JSON.stringify(request.op)}`
  if (request.op === 'flush' && request.target !== undefined && typeof request.target !== 'string') return 'flush takes a target string'
  return request as unknown as ControlRequest
}
