import type {ShmrConfig} from '../config/types.js'
import {ExclusiveLock} from '../meta/exclusiveLock.js'
import type {MigrationOptions} from '../shift/runShift.js'
import type {ShiftPlan} from '../shift/planShift.js'
import {askServer} from './controlClient.js'
import type {MigrationPurpose, MigrationRequest} from './protocol.js'

/**
 * A shift, tier or rewrite of a mounted filesystem runs inside its server (docs/CLI_ABI.md,
 * "Control socket"): the command sends its options and follows the plan and progress the server
 * sends back, and gets the same report as offline. Undefined when the filesystem is not mounted
 * (or for a dry run, which only reads): the command then runs the migration itself.
 */
export async function migrateThroughMount<T>(config: ShmrConfig, purpose: MigrationPurpose,
  options: MigrationOptions & Partial<Omit<MigrationRequest, keyof MigrationOptions>>): Promise<T | undefined> {
  if (options.dryRun || !ExclusiveLock.isMounted(config.metadataDir)) return undefined
  const request: MigrationRequest = {
    targets: options.targets, recursive: options.recursive === true, jobs: options.jobs,
    ...(options.rateBytesPerSecond === undefined ? {} : {rateBytesPerSecond: options.rateBytesPerSecond}),
    ...(options.to === undefined ? {} : {to: options.to}),
    ...(options.scheme === undefined ? {} : {scheme: options.scheme}),
    ...(options.blockSizeBytes === undefined ? {} : {blockSizeBytes: options.blockSizeBytes}),
  }
  return await askServer(config.metadataDir, {op: 'migrate', purpose, options: request}, (event) => {
    if (event.event === 'plan') options.onPlan?.(event.plan as ShiftPlan)
    else if (event.event === 'progress') options.onProgress?.(event.doneBytes)
  }) as T
}
