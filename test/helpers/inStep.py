"""
What the random operation tests (randomOps.py, randomTree.py) share: each call is made on shmr
and on a reference on a plain filesystem, and the outcomes must be the same.
"""
import ctypes
import os
import sys

libc = ctypes.CDLL(None, use_errno=True)


class Mismatch(Exception):
    pass


def raise_errno(result):
    """A libc call's result: non-zero raises OSError with its errno, as os' own calls do."""
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, os.strerror(errno))


def outcome(call):
    """What a call did: ('ok', its value) or ('errno', the error's number)."""
    try:
        return ('ok', call())
    except OSError as error:
        return ('errno', error.errno)


def same(label, test, ref):
    if test != ref:
        raise Mismatch(f'{label}: shmr gave {short(test)}, the reference {short(ref)}')


def short(value):
    text = repr(value)
    return text if len(text) < 200 else text[:200] + f'... ({len(text)} characters)'


def drop_caches(what):
    """1: the page cache; 2: dentries and inodes (root only)."""
    with open('/proc/sys/vm/drop_caches', 'w') as drop:
        drop.write(f'{what}\n')


def fail(seed, log, error):
    print(f'seed {seed}, operation {len(log)}: {error}', file=sys.stderr)
    print('last operations:\n  ' + '\n  '.join(log[-25:]), file=sys.stderr)
    sys.exit(1)
