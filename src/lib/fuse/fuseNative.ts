import {createRequire} from 'node:module'
import {ShmrError} from '../errors.js'

/** The callback every fuse-native operation ends with: a result code (0 or -errno) and maybe a value. */
export type FuseCallback = (code: number, ...values: unknown[]) => void

/** The handlers fuse-native calls, by operation name; each takes its arguments then a callback. */
export type FuseOperations = Record<string, (...args: never[]) => void>

export interface FuseOptions {
  readonly allowOther?: boolean
  readonly defaultPermissions?: boolean
  readonly fsname?: string
  readonly subtype?: string
  /** Milliseconds before fuse-native fails a request with ETIMEDOUT. */
  readonly timeout?: number
}

export interface FuseInstance {
  mount(callback: (error: Error | null) => void): void
  _fuseOptions(): string
  /** Who made the request being handled (shmr's patch of fuse-native); valid until the handler's first await. */
  caller(): {uid: number; gid: number; pid: number}
  /** Lets the binding answer lookups of security.capability itself (shmr's patch; see CapabilityShortcut). */
  setCapabilitiesAbsent(absent: boolean): void
}

export interface FuseConstructor {
  new (mountpoint: string, operations: FuseOperations, options: FuseOptions): FuseInstance
}

/**
 * Loads shmr's fuse-native (vendor/fuse-native). Its addon links libfuse 3 (libfuse3.so.3 on
 * Debian 12), so a machine without it fails here: that becomes a clear UNAVAILABLE error naming
 * the package to install.
 */
export function loadFuseNative(): FuseConstructor {
  try {
    return createRequire(import.meta.url)('fuse-native') as FuseConstructor
  } catch (error) {
    const message = (error as Error).message
    throw new ShmrError('UNAVAILABLE', `FUSE is not available: ${message.split('\n')[0]}`, {
      hint: /libfuse/.test(message) ? 'install Debian\'s fuse3 package (it brings libfuse 3)'
        : 'build shmr\'s patched FUSE binding: scripts/install.sh (or npm run build:native)',
    })
  }
}
