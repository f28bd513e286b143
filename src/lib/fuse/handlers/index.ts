import type {FuseContext} from '../context.js'
import {Op} from '../opcodes.js'
import type {Request} from '../request.js'
import {access} from './access.js'
import {copyFileRange} from './copyFileRange.js'
import {create} from './create.js'
import {fallocate} from './fallocate.js'
import {fsync} from './fsync.js'
import {fsyncdir} from './fsyncdir.js'
import {getattr} from './getattr.js'
import {getxattr} from './getxattr.js'
import {link} from './link.js'
import {listxattr} from './listxattr.js'
import {lookup} from './lookup.js'
import {lseek} from './lseek.js'
import {mkdir} from './mkdir.js'
import {mknod} from './mknod.js'
import {open} from './open.js'
import {opendir} from './opendir.js'
import {read} from './read.js'
import {readdir} from './readdir.js'
import {readdirplus} from './readdirplus.js'
import {readlink} from './readlink.js'
import {release} from './release.js'
import {releasedir} from './releasedir.js'
import {removexattr} from './removexattr.js'
import {rename} from './rename.js'
import {rmdir} from './rmdir.js'
import {setattr} from './setattr.js'
import {setxattr} from './setxattr.js'
import {statfs} from './statfs.js'
import {symlink} from './symlink.js'
import {unlink} from './unlink.js'
import {write} from './write.js'

/** Handles one request and answers it through ctx.session; a throw is answered with its errno. */
export type Handler = (ctx: FuseContext, request: Request) => void | Promise<void>

/**
 * Every operation shmr serves, by code, with the name metrics and logs give it. What the binding
 * does not register with libfuse (fallocate, copy_file_range, flush: close(2) waits for nothing,
 * see FileData.release) libfuse answers ENOSYS itself, after which the kernel stops asking.
 */
export const HANDLERS: ReadonlyMap<number, {name: string; handle: Handler}> = new Map(([
  [Op.ACCESS, 'access', access], [Op.COPY_FILE_RANGE, 'copy_file_range', copyFileRange], [Op.CREATE, 'create', create], [Op.FALLOCATE, 'fallocate', fallocate], [Op.FSYNC, 'fsync', fsync], [Op.FSYNCDIR, 'fsyncdir', fsyncdir],
  [Op.GETATTR, 'getattr', getattr], [Op.GETXATTR, 'getxattr', getxattr], [Op.LINK, 'link', link], [Op.LISTXATTR, 'listxattr', listxattr],
  [Op.LOOKUP, 'lookup', lookup], [Op.LSEEK, 'lseek', lseek], [Op.MKDIR, 'mkdir', mkdir], [Op.MKNOD, 'mknod', mknod], [Op.OPEN, 'open', open], [Op.OPENDIR, 'opendir', opendir],
  [Op.READ, 'read', read], [Op.READDIR, 'readdir', readdir], [Op.READDIRPLUS, 'readdirplus', readdirplus], [Op.READLINK, 'readlink', readlink],
  [Op.RELEASE, 'release', release], [Op.RELEASEDIR, 'releasedir', releasedir], [Op.REMOVEXATTR, 'removexattr', removexattr],
  [Op.RENAME, 'rename', rename], [Op.RMDIR, 'rmdir', rmdir], [Op.SETATTR, 'setattr', setattr], [Op.SETXATTR, 'setxattr', setxattr],
  [Op.STATFS, 'statfs', statfs], [Op.SYMLINK, 'symlink', symlink], [Op.UNLINK, 'unlink', unlink], [Op.WRITE, 'write', write],
] as const).map(([op, name, handle]) => [op, {name, handle}]))
