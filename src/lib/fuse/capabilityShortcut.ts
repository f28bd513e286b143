import {CAPABILITY_XATTR} from '../fs/writePrivileges.js'

/** The binding's side: whether it may answer lookups of CAPABILITY_XATTR with ENODATA itself. */
export interface CapabilityBinding {
  setCapabilitiesAbsent(absent: boolean): void
}

/**
 * While no file carries security.capability, the binding answers the kernel's lookup of it
 * itself: the kernel asks before every write, and a round trip to this thread per write costs
 * about as much as handling the write. The first setxattr of that name turns the shortcut off
 * for the rest of the mount, before the value is stored, so no lookup can miss it.
 */
export class CapabilityShortcut {
  private binding: CapabilityBinding | undefined

  constructor(private absent: boolean) {}

  attach(binding: CapabilityBinding): void {
    this.binding = binding
    binding.setCapabilitiesAbsent(this.absent)
  }

  /** False while no file can carry security.capability. */
  get mayExist(): boolean {
    return !this.absent
  }

  beforeStore(name: string): void {
    if (name !== CAPABILITY_XATTR || !this.absent) return
    this.absent = false
    this.binding?.setCapabilitiesAbsent(false)
  }
}
