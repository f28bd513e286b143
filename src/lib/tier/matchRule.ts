import {minimatch} from 'minimatch'
import {TIER_XATTR, type TierRule} from '../config/tierRules.js'
import type {MetaStore} from '../meta/metaStore.js'
import type {Inode} from '../meta/records.js'

/** The first rule that matches a file, or undefined: rules are evaluated in order, first match wins. */
export function matchRule(rules: readonly TierRule[], store: MetaStore, inode: Inode, filePath: string, nowMs: number): TierRule | undefined {
  const pin = store.xattrs.find([inode.ino, TIER_XATTR])?.toString()
  return rules.find(({match}) =>
    (match.path === undefined || minimatch(filePath, match.path, {dot: true})) &&
    (match.minSizeBytes === undefined || inode.sizeBytes >= match.minSizeBytes) &&
    (match.maxSizeBytes === undefined || inode.sizeBytes <= match.maxSizeBytes) &&
    (match.olderThanMs === undefined || nowMs - inode.mtimeMs >= match.olderThanMs) &&
    (match.notAccessedForMs === undefined || nowMs - inode.atimeMs >= match.notAccessedForMs) &&
    (match.xattr === undefined || pin === match.xattr))
}
