/** The user and group a new inode belongs to. */
export interface Owner {
  readonly uid: number
  readonly gid: number
}
