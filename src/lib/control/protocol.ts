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
  /** `shmr shift`, `tier` or `rewrite`, run inside the server; events: plan, then progress. */
  | {readonly v: number; readonly op: 'migrate'; readonly purpose: MigrationPurpose; readonly options: MigrationRequest}
  /** Stops the running task (that one, when `id` is given) at its next block. */
  | {readonly v: number; readonly op: 'cancel'; readonly id?: number}
  /** `shmr gc` inside the server: tombstones older than `graceMs`, staged blocks of deleted files. */
  | {readonly v: number; readonly op: 'gc'; readonly graceMs: number}
  /** `shmr drive drain NAME` inside the server (an archive pool's drive); events: total, then progress. */
  | {readonly v: number; readonly op: 'drain'; readonly name: string; readonly undo?: boolean; readonly rateBytesPerSecond?: number}
  /** `shmr drive add POOL NAME DIR` inside the server: the drive used at once. */
  | {readonly v: number; readonly op: 'driveAdd'; readonly pool: string; readonly name: string; readonly dir: string; readonly objectStore?: string}
  /** `shmr drive remove NAME` inside the server (an empty archive pool's drive). */
  | {readonly v: number; readonly op: 'driveRemove'; readonly name: string}
  /** `shmr drive replace NAME DIR` inside the server: the drive served from DIR (a repair follows). */
  | {readonly v: number; readonly op: 'driveReplace'; readonly name: string; readonly dir: string; readonly objectStore?: string}
  /** `shmr verify --repair [TARGET…]` inside the server; events: total, then progress. */
  | {readonly v: number; readonly op: 'repair'; readonly targets: readonly string[]; readonly rateBytesPerSecond?: number}

export type ControlOp = ControlRequest['op']
export const CONTROL_OPS: readonly ControlOp[] = ['status', 'flush', 'migrate', 'cancel', 'gc', 'drain', 'repair', 'driveAdd', 'driveRemove', 'driveReplace']
export type MigrationPurpose = 'shift' | 'tier' | 'rewrite'
export const MIGRATION_PURPOSES: readonly MigrationPurpose[] = ['shift', 'tier', 'rewrite']
/** What a server task is doing: a migration, a drive's drain, or verify --repair. */
export type TaskPurpose = MigrationPurpose | 'drain' | 'repair'

/** A migration's options as the command gave them (ShiftOptions, RewriteOptions), without its callbacks. */
export interface MigrationRequest {
  readonly targets: readonly string[]
  readonly recursive: boolean
  readonly jobs: number
  readonly rateBytesPerSecond?: number
  readonly to?: string
  readonly scheme?: unknown
  readonly blockSizeBytes?: number
}

/** What a server sends before its reply, while long work runs. */
export type ControlEvent =
  | {readonly event: 'plan'; readonly plan: unknown}
  /** The bytes the task will go through (drain, repair: a migration's plan says it). */
  | {readonly event: 'total'; readonly totalBytes: number}
  | {readonly event: 'progress'; readonly doneBytes: number}

/** A task the server runs for a command, or by its schedule (`shmr status`). */
export interface ServerTask {
  /** Counts up from 1 for the life of the server: `shmr cancel ID`. */
  readonly id: number
  readonly purpose: TaskPurpose
  /** Started by the server itself (mount.tierEvery, mount.tierAtFill), not by a command. */
  readonly scheduled: boolean
  /** ISO 8601. */
  readonly startedAt: string
  readonly totalBytes: number
  readonly doneBytes: number
}

/** A task that ended since the mount: how, and what it moved. */
export interface FinishedTask extends ServerTask {
  /** ISO 8601. */
  readonly endedAt: string
  readonly outcome: 'done' | 'failed' | 'cancelled'
  /** Files moved (a migration done), or why it ended otherwise. */
  readonly filesShifted?: number
  readonly message?: string
}

export interface CancelResult {
  readonly cancelled: ServerTask
}

export interface ServerStatus {
  readonly pid: number
  readonly mountpoint: string
  /** ISO 8601. */
  readonly mountedAt: string
  /** Blocks written through the mount and not yet stored (what `flush` writes out). */
  readonly pendingBlocks: number
  /** Work the server is doing (a shift, tier, rewrite, drain or repair): at most one. */
  readonly tasks: readonly ServerTask[]
  /** The last tasks that ended since the mount, newest last. */
  readonly finished: readonly FinishedTask[]
  /** Archive drives left out at the mount (missing, blank, another's), and how many files cannot be read without them. */
  readonly degraded?: DegradedState
}

export interface DegradedState {
  readonly drives: ReadonlyArray<{readonly name: string; readonly problem: string}>
  readonly unreadableFiles: number
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
  if (request.op === 'cancel' && request.id !== undefined && !Number.isInteger(request.id)) return 'cancel takes a task id (an integer)'
  if (request.op === 'gc' && (typeof request.graceMs !== 'number' || !(request.graceMs >= 0))) return 'gc takes graceMs, a number of at least 0'
  if ((request.op === 'drain' || request.op === 'repair') && request.rateBytesPerSecond !== undefined && !(typeof request.rateBytesPerSecond === 'number' && request.rateBytesPerSecond > 0)) {
    return `${request.op} takes rateBytesPerSecond, a number above 0`
  }
  if ((request.op === 'drain' || request.op === 'driveRemove') && typeof request.name !== 'string') return `${request.op} takes a drive name`
  if (request.op === 'drain' && request.undo !== undefined && typeof request.undo !== 'boolean') return 'drain takes undo, a boolean'
  if (request.op === 'driveReplace' && !(typeof request.name === 'string' && typeof request.dir === 'string' &&
    (request.objectStore === undefined || typeof request.objectStore === 'string'))) return 'driveReplace takes name and dir strings (and an objectStore string)'
  if (request.op === 'driveAdd' && !(typeof request.pool === 'string' && typeof request.name === 'string' && typeof request.dir === 'string' &&
    (request.objectStore === undefined || typeof request.objectStore === 'string'))) return 'driveAdd takes pool, name and dir strings (and an objectStore string)'
  if (request.op === 'repair' && !(Array.isArray(request.targets) && request.targets.every((target) => typeof target === 'string'))) return 'repair takes targets: [string]'
  if (request.op === 'migrate') {
    if (!MIGRATION_PURPOSES.includes(request.purpose as MigrationPurpose)) return `unknown migration ${JSON.stringify(request.purpose)}`
    const options = request.options as Record<string, unknown> | undefined
    if (typeof options !== 'object' || options === null || !Array.isArray(options.targets) || !options.targets.every((target) => typeof target === 'string') ||
      typeof options.recursive !== 'boolean' || !Number.isInteger(options.jobs) || (options.jobs as number) < 1) {
      return 'migrate takes options {targets: [string], recursive: boolean, jobs: integer ≥ 1, …}'
    }
  }
  return request as unknown as ControlRequest
}
