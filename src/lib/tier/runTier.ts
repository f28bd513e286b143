import type {TierRule} from '../config/tierRules.js'
import type {ShmrConfig} from '../config/types.js'
import {ShmrError} from '../errors.js'
import {resolveTargets} from '../fs/targets.js'
import type {PoolSet} from '../pools/poolSet.js'
import {migrateThroughMount} from '../control/migrateThroughMount.js'
import {runMigration, summarizeDestination, type DestinationSummary, type MigrationOptions, type ServerFilesystem, type ShiftReport} from '../shift/runShift.js'
import type {Destination} from '../shift/shiftFile.js'
import {matchRule} from './matchRule.js'

export interface RuleSummary {
  readonly destination: DestinationSummary
  readonly files: number
  readonly bytes: number
  /** Of those, files that move (the others are already where the rule wants them). */
  readonly moving: number
  readonly movingBytes: number
}

export interface TierReport extends ShiftReport {
  readonly rules: Record<string, RuleSummary>
}

/**
 * `shmr tier`: evaluates the config's rules against every file (first match wins; files no rule
 * matches stay where they are) and moves each file where its rule says, with the shift engine.
 */
export async function runTier(config: ShmrConfig, options: Omit<MigrationOptions, 'targets' | 'recursive'>, server?: ServerFilesystem): Promise<TierReport> {
  if (config.tiers.length === 0) throw new ShmrError('BAD_CONFIG', `config ${config.file} has no tiers rules`, {hint: 'add a tiers: list (see docs/CONFIG.md)'})
  if (!server) {
    const online = await migrateThroughMount<TierReport>(config, 'tier', {...options, targets: ['/'], recursive: true})
    if (online) return online
  }
  const chosen = new Map<number, {rule: TierRule; destination: Destination}>()
  const rules: Record<string, RuleSummary> = {}
  const report = await runMigration(config, {...options, targets: ['/'], recursive: true}, 'tier', (pools, store, namespace) => {
    // One destination per rule, for its summary and every file it takes.
    const destinations = new Map(config.tiers.map((rule) => [rule.name, destinationOf(rule, pools)]))
    for (const rule of config.tiers) {
      rules[rule.name] = {destination: summarizeDestination(destinations.get(rule.name)!), files: 0, bytes: 0, moving: 0, movingBytes: 0}
    }
    const nowMs = Date.now()
    for (const file of resolveTargets(store, namespace, ['/'], true, config.mountpoint)) {
      const inode = store.inodes.getInode(file.ino)
      const rule = matchRule(config.tiers, store, inode, file.label, nowMs)
      if (rule) chosen.set(file.ino, {rule, destination: destinations.get(rule.name)!})
    }
    return {
      summary: {pool: '(per rule)', scheme: '(per rule)', blockSizeBytes: 0},
      forFile: (ino) => chosen.get(ino)!.destination,
      include: (ino) => chosen.has(ino),
    }
  }, server)
  for (const file of report.plan.files) {
    const entry = rules[chosen.get(file.ino)!.rule.name]!
    rules[chosen.get(file.ino)!.rule.name] = {
      ...entry, files: entry.files + 1, bytes: entry.bytes + file.sizeBytes,
      moving: entry.moving + (file.action === 'shift' ? 1 : 0), movingBytes: entry.movingBytes + (file.action === 'shift' ? file.sizeBytes : 0),
    }
  }
  return {...report, rules}
}

function destinationOf(rule: TierRule, pools: PoolSet): Destination {
  const write = pools.writePool
  if ('keep' in rule.action) return {pool: write, topology: write.topology, blockSizeBytes: write.blockSizeBytes, rule: rule.name}
  const pool = pools.pool(rule.action.pool)
  const headBlocks = rule.action.headBytes ? Math.ceil(rule.action.headBytes / pool.blockSizeBytes) : 0
  return {
    pool, topology: rule.action.topology ?? pool.topology, blockSizeBytes: pool.blockSizeBytes, rule: rule.name,
    ...(headBlocks > 0 ? {head: {blocks: headBlocks, pool: write, topology: write.topology}} : {}),
  }
}
