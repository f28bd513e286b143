import type {FuseContext} from '../context.js'
import type {FuseOperations} from '../fuseNative.js'
import {access} from './access.js'
import {chmod} from './chmod.js'
import {chown} from './chown.js'
import {create} from './create.js'
import {fgetattr} from './fgetattr.js'
import {fsync} from './fsync.js'
import {fsyncdir} from './fsyncdir.js'
import {ftruncate} from './ftruncate.js'
import {getattr} from './getattr.js'
import {getxattr} from './getxattr.js'
import {link} from './link.js'
import {listxattr} from './listxattr.js'
import {mkdir} from './mkdir.js'
import {mknod} from './mknod.js'
import {open} from './open.js'
import {read} from './read.js'
import {readdir} from './readdir.js'
import {readlink} from './readlink.js'
import {release} from './release.js'
import {removexattr} from './removexattr.js'
import {rename} from './rename.js'
import {rmdir} from './rmdir.js'
import {setxattr} from './setxattr.js'
import {statfs} from './statfs.js'
import {symlink} from './symlink.js'
import {truncate} from './truncate.js'
import {unlink} from './unlink.js'
import {utimens} from './utimens.js'
import {write} from './write.js'

/**
 * Every operation shmr serves, alphabetically. What is absent is not implemented (libfuse answers
 * ENOSYS). flush among them: close(2) waits for nothing (see FileData.release), and a kernel told
 * ENOSYS once stops asking, which saves a round trip per close.
 */
export function fuseOperations(ctx: FuseContext): FuseOperations {
  return {
    access: access(ctx), chmod: chmod(ctx), chown: chown(ctx), create: create(ctx), fgetattr: fgetattr(ctx),
    fsync: fsync(ctx), fsyncdir: fsyncdir(ctx), ftruncate: ftruncate(ctx), getattr: getattr(ctx), getxattr: getxattr(ctx), link: link(ctx), listxattr: listxattr(ctx),
    mkdir: mkdir(ctx), mknod: mknod(ctx), open: open(ctx), read: read(ctx), readdir: readdir(ctx), readlink: readlink(ctx),
    release: release(ctx), removexattr: removexattr(ctx), rename: rename(ctx), rmdir: rmdir(ctx), setxattr: setxattr(ctx),
    statfs: statfs(ctx), symlink: symlink(ctx), truncate: truncate(ctx), unlink: unlink(ctx), utimens: utimens(ctx), write: write(ctx),
  } as unknown as FuseOperations
}
