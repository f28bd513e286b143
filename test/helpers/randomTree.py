"""
Random namespace operations on a directory under test and a reference directory on a plain
filesystem, in step: creates, mkdir, rmdir, unlink, rename (plain, RENAME_NOREPLACE,
RENAME_EXCHANGE, onto existing names, into its own subtree), hard links, symlinks, chmod,
truncate, appends, user xattrs and utimensat with nanoseconds. Each call must succeed or fail
with the same errno on both sides. Every so often, and at the end (after an fsync of every file
and directory under test), both trees are compared whole: names, types, modes, sizes, contents,
link targets, xattrs, and which names share an inode.

usage: randomTree.py TEST_ROOT REF_ROOT SEED OPS   (OPS 0: only compare the trees)

Exit 0 when everything matched; 1 with the seed, the failing operation and the ones before it.
"""
import ctypes
import os
import random
import stat
import sys

from inStep import Mismatch, drop_caches, fail, libc, outcome, raise_errno, same, short

TEST_ROOT, REF_ROOT = sys.argv[1], sys.argv[2]
SEED, OPS = int(sys.argv[3]), int(sys.argv[4])
NAMES = ['a', 'b', 'c', 'd', 'e', 'f', 'long-' + 'x' * 120, 'ü', 'sp ace']
RENAME_NOREPLACE = 1
RENAME_EXCHANGE = 2
AT_FDCWD = -100

libc.renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]

rng = random.Random(SEED)
log = []


def renameat2(source, target, flags):
    raise_errno(libc.renameat2(AT_FDCWD, source.encode(), AT_FDCWD, target.encode(), flags))


def write_file(path, flags, data):
    fd = os.open(path, flags, 0o640)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


def both(label, call):
    """Runs call(root) on the reference and then the tree under test; the outcomes must match."""
    ref = outcome(lambda: call(REF_ROOT))
    test = outcome(lambda: call(TEST_ROOT))
    same(label, test, ref)


def entries():
    """Every path below the reference root, relative, the root itself as ''."""
    found = ['']
    for directory, dirs, files in os.walk(REF_ROOT):
        relative = os.path.relpath(directory, REF_ROOT)
        relative = '' if relative == '.' else relative
        found += [os.path.join(relative, name) for name in dirs + files]
    return found


def directories():
    return [path for path in entries() if path == '' or (os.path.isdir(os.path.join(REF_ROOT, path)) and not os.path.islink(os.path.join(REF_ROOT, path)))]


def some_path():
    """An existing entry, or a new name in an existing directory, or under a file (ENOTDIR)."""
    kind = rng.randrange(10)
    if kind < 6:
        return rng.choice(entries())
    return os.path.join(rng.choice(entries() if kind == 9 else directories()), rng.choice(NAMES))


def at(root, path):
    return os.path.join(root, path) if path else root


def op_create():
    path = some_path()
    data = rng.randbytes(rng.choice((0, 1, 100, 5000, 70000)))
    log.append(f'create {path!r} ({len(data)} bytes)')
    both('create', lambda root: write_file(at(root, path), os.O_WRONLY | os.O_CREAT | os.O_EXCL, data))


def op_mkdir():
    path = some_path()
    log.append(f'mkdir {path!r}')
    both('mkdir', lambda root: os.mkdir(at(root, path), 0o750))


def op_rmdir():
    path = some_path()
    log.append(f'rmdir {path!r}')
    both('rmdir', lambda root: os.rmdir(at(root, path)))


def op_unlink():
    path = some_path()
    log.append(f'unlink {path!r}')
    both('unlink', lambda root: os.unlink(at(root, path)))


def op_rename():
    source, target = some_path(), some_path()
    flags = rng.choice((0, 0, 0, RENAME_NOREPLACE, RENAME_EXCHANGE))
    log.append(f'rename {source!r} {target!r} flags {flags}')
    both('rename', lambda root: renameat2(at(root, source), at(root, target), flags))


def op_link():
    source, target = some_path(), some_path()
    log.append(f'link {source!r} {target!r}')
    both('link', lambda root: os.link(at(root, source), at(root, target), follow_symlinks=False))


def op_symlink():
    target = rng.choice(('a', '../b', '/nonexistent', 'x' * 300, rng.choice(entries()) or '.'))
    path = some_path()
    log.append(f'symlink {target!r} at {path!r}')
    both('symlink', lambda root: os.symlink(target, at(root, path)))


def op_chmod():
    path = some_path()
    mode = rng.choice((0o644, 0o600, 0o755, 0o4755, 0o1777, 0o000, 0o2750))
    log.append(f'chmod {path!r} {mode:o}')
    # Linux has no mode of a symlink's own to change: a link is left as it is.
    both('chmod', lambda root: None if os.path.islink(at(root, path)) else os.chmod(at(root, path), mode))


def op_truncate():
    path = some_path()
    size = rng.choice((0, 1, 4096, 70000, 200000))
    log.append(f'truncate {path!r} {size}')
    both('truncate', lambda root: os.truncate(at(root, path), size))


def op_append():
    path = some_path()
    data = rng.randbytes(rng.randrange(1, 9000))
    log.append(f'append {path!r} +{len(data)}')
    both('append', lambda root: write_file(at(root, path), os.O_WRONLY | os.O_APPEND, data))


def op_xattr():
    path = some_path()
    name = rng.choice(('user.one', 'user.two', 'user.' + 'n' * 100))
    if rng.random() < 0.7:
        # Small enough that ext4's one block for all of an inode's xattrs never runs out (ENOSPC there, not a rule of POSIX).
        value = rng.randbytes(rng.choice((0, 1, 50, 1000)))
        flags = rng.choice((0, 0, os.XATTR_CREATE, os.XATTR_REPLACE))
        log.append(f'setxattr {path!r} {name} ({len(value)} bytes, flags {flags})')
        both('setxattr', lambda root: os.setxattr(at(root, path), name, value, flags, follow_symlinks=False))
    else:
        log.append(f'removexattr {path!r} {name}')
        both('removexattr', lambda root: os.removexattr(at(root, path), name, follow_symlinks=False))


def op_utime():
    path = some_path()
    times = (rng.randrange(0, 2**33) * 10**9 + rng.randrange(10**9), rng.randrange(0, 2**33) * 10**9 + rng.randrange(10**9))
    log.append(f'utime {path!r} {times}')

    def utime(root):
        os.utime(at(root, path), ns=times, follow_symlinks=False)
        status = os.lstat(at(root, path))
        return (status.st_atime_ns, status.st_mtime_ns)
    both('utime', utime)


def snapshot(root):
    """What a tree holds, and which of its names share an inode (as sorted groups of names)."""
    described = {}
    inodes = {}
    for directory, dirs, files in os.walk(root):
        for name in dirs + files + ([] if directory != root else ['']):
            path = os.path.join(directory, name) if name else directory
            relative = os.path.relpath(path, root)
            status = os.lstat(path)
            kind = stat.S_IFMT(status.st_mode)
            entry = {'kind': kind, 'mode': stat.S_IMODE(status.st_mode)}
            if stat.S_ISREG(kind):
                with open(path, 'rb') as file:
                    entry['content'] = hash(file.read())
                entry['size'] = status.st_size
                entry['nlink'] = status.st_nlink
                inodes.setdefault(status.st_ino, []).append(relative)
            elif stat.S_ISLNK(kind):
                entry['target'] = os.readlink(path)
            else:
                entry['entries'] = sorted(os.listdir(path))
                entry['nlink'] = status.st_nlink
            if not stat.S_ISLNK(kind):
                entry['xattrs'] = sorted((name, os.getxattr(path, name)) for name in os.listxattr(path) if name.startswith('user.'))
            described[relative] = entry
    return described, sorted(sorted(group) for group in inodes.values())


def compare(label):
    log.append(f'compare whole trees ({label})')
    ref, test = snapshot(REF_ROOT), snapshot(TEST_ROOT)
    if ref[1] != test[1]:
        raise Mismatch(f'names sharing an inode differ: shmr {short(test[1])}, the reference {short(ref[1])}')
    for path in sorted(set(ref[0]) | set(test[0])):
        ours, theirs = test[0].get(path), ref[0].get(path)
        if ours is None or theirs is None:
            raise Mismatch(f'{path!r}: shmr has {short(ours)}, the reference {short(theirs)}')
        differing = {key: (ours.get(key), theirs.get(key)) for key in set(ours) | set(theirs) if ours.get(key) != theirs.get(key)}
        if differing:
            raise Mismatch(f'{path!r} differs, (shmr, the reference): {short(differing)}')


OPS_BY_WEIGHT = [(op_create, 14), (op_mkdir, 8), (op_rmdir, 4), (op_unlink, 6), (op_rename, 14), (op_link, 5), (op_symlink, 4),
                 (op_chmod, 4), (op_truncate, 4), (op_append, 5), (op_xattr, 6), (op_utime, 3)]
CHOICES = [op for op, weight in OPS_BY_WEIGHT for _ in range(weight)]
SHRINKING = [op_unlink, op_unlink, op_rmdir, op_rename]
MAX_ENTRIES = 400


def fsync_all(root):
    """fsync of every file and directory (sync(1) and syncfs(2) do not reach a FUSE server: docs/FORMAT.md)."""
    for directory, dirs, files in os.walk(root):
        for name in files + [''] + dirs:
            path = os.path.join(directory, name) if name else directory
            if name and os.path.islink(path):
                continue
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


def main():
    try:
        compare('before')
        for i in range(OPS):
            # Past MAX_ENTRIES, removals and renames only, so that the trees stay quick to compare.
            rng.choice(SHRINKING if len(entries()) > MAX_ENTRIES else CHOICES)()
            if i % 250 == 249:
                compare(f'after {i + 1} operations')
        fsync_all(TEST_ROOT)
        drop_caches(2)
        compare('at the end')
    except Mismatch as error:
        fail(SEED, log, error)
    print(len(log))


main()
