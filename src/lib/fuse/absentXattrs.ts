import {CAPABILITY_XATTR} from '../fs/writePrivileges.js'

/**
 * Names looked up all the time: security.capability by the kernel before every write (to drop
 * file capabilities); the SELinux label and the POSIX ACLs by `ls -l` for every entry. Each lookup
 * was a round trip to the serving thread that found nothing: 3 per entry of an `ls -lR`.
 */
export const SHORTCUT_XATTRS: readonly string[] = [CAPABILITY_XATTR, 'security.selinux', 'system.posix_acl_access', 'system.posix_acl_default']

/** The binding's side: bit i set while no file carries SHORTCUT_XATTRS[i]. */
export interface AbsentXattrsBinding {
  setAbsentXattrs(mask: number): void
}

/**
 * While no file carries one of SHORTCUT_XATTRS, the binding answers the kernel's lookups of that
 * name itself (ENODATA). The first setxattr of such a name turns its shortcut off for the rest of
 * the mount, before the value is stored, so no lookup can miss it.
 */
export class AbsentXattrs {
  private binding: AbsentXattrsBinding | undefined
  private mask: number

  /** `carried(name)`: whether some file carries `name` now. */
  constructor(carried: (name: string) => boolean) {
    this.mask = SHORTCUT_XATTRS.reduce((mask, name, i) => (carried(name) ? mask : mask | (1 << i)), 0)
  }

  attach(binding: AbsentXattrsBinding): void {
    this.binding = binding
    binding.setAbsentXattrs(this.mask)
  }

  /** False while no file can carry security.capability (a write need not look for it). */
  get capabilitiesMayExist(): boolean {
    return (this.mask & (1 << SHORTCUT_XATTRS.indexOf(CAPABILITY_XATTR))) === 0
  }

  beforeStore(name: string): void {
    const index = SHORTCUT_XATTRS.indexOf(name)
    if (index < 0 || (this.mask & (1 << index)) === 0) return
    this.mask &= ~(1 << index)
    this.binding?.setAbsentXattrs(this.mask)
  }
}
