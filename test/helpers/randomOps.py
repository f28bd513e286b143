"""
Random file operations on two files under test and two reference files on a plain directory, in
step, in the manner of xfstests' fsx: writes, reads, truncates, fallocate's modes, copy_file_range,
shared mmap writes, fsync, reopens and O_APPEND writes at offsets chosen near the edges that
matter to shmr (chunks, write-pool blocks, archive blocks, the file's end). Every read is checked
against the reference, every call must succeed or fail with the same errno on both sides, and at
the end both files are made durable, closed, dropped from the page cache and compared whole.

usage: randomOps.py TEST_DIR REF_DIR SEED OPS CHUNK BLOCK ARCHIVE_BLOCK

Exit 0 when everything matched; 1 with the seed, the failing operation and the ones before it.
"""
import ctypes
import mmap
import os
import random
import sys

from inStep import Mismatch, drop_caches, fail, libc, outcome, raise_errno, same

TEST_DIR, REF_DIR = sys.argv[1], sys.argv[2]
SEED, OPS = int(sys.argv[3]), int(sys.argv[4])
CHUNK, BLOCK, ARCHIVE_BLOCK = int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])
NAMES = ('a', 'b')
MAX_SIZE = 8 * ARCHIVE_BLOCK + BLOCK // 2
MAX_IO = 3 * BLOCK

FALLOC_FL_KEEP_SIZE = 0x01
FALLOC_FL_PUNCH_HOLE = 0x02
FALLOC_FL_ZERO_RANGE = 0x10

libc.fallocate.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_long, ctypes.c_long]

rng = random.Random(SEED)
log = []


def fallocate(fd, mode, offset, length):
    raise_errno(libc.fallocate(fd, mode, offset, length))


def first_difference(a, b):
    for i in range(min(len(a), len(b))):
        if a[i] != b[i]:
            return i
    return min(len(a), len(b))


class Pair:
    """A file under test and its reference, each open read-write, plus a second read-only handle of the file under test."""

    def __init__(self, name):
        self.name = name
        self.test_path = os.path.join(TEST_DIR, name)
        self.ref_path = os.path.join(REF_DIR, name)
        self.open(0)

    def open(self, extra_flags):
        flags = os.O_RDWR | os.O_CREAT | extra_flags
        self.test = os.open(self.test_path, flags, 0o644)
        self.ref = os.open(self.ref_path, flags, 0o644)
        self.reader = os.open(self.test_path, os.O_RDONLY)

    def close(self):
        for fd in (self.test, self.ref, self.reader):
            os.close(fd)

    def size(self):
        test, ref = os.fstat(self.test).st_size, os.fstat(self.ref).st_size
        same(f'size of {self.name}', test, ref)
        return ref

    def both(self, label, call):
        test = outcome(lambda: call(self.test, 'test'))
        ref = outcome(lambda: call(self.ref, 'ref'))
        same(label, test, ref)

    def check(self, offset, length, fd=None):
        fd = self.test if fd is None else fd
        test = outcome(lambda: os.pread(fd, length, offset))
        ref = outcome(lambda: os.pread(self.ref, length, offset))
        if test != ref:
            if test[0] == 'ok' and ref[0] == 'ok':
                at = first_difference(test[1], ref[1])
                raise Mismatch(f'read of {self.name} [{offset}, +{length}): {len(test[1])} bytes against {len(ref[1])}, first difference at byte {offset + at}')
            same(f'read of {self.name} [{offset}, +{length})', test, ref)

    def check_whole(self):
        size = self.size()
        for offset in range(0, size, 4 * BLOCK):
            self.check(offset, 4 * BLOCK)


def edge(size):
    """An offset near something that matters: a chunk, block or archive block edge, the end, or anywhere."""
    kind = rng.randrange(6)
    if kind == 0:
        base = rng.randrange(MAX_SIZE // CHUNK + 1) * CHUNK
    elif kind == 1:
        base = rng.randrange(MAX_SIZE // BLOCK + 1) * BLOCK
    elif kind == 2:
        base = rng.randrange(MAX_SIZE // ARCHIVE_BLOCK + 1) * ARCHIVE_BLOCK
    elif kind == 3:
        base = size
    else:
        return rng.randrange(MAX_SIZE)
    return max(0, min(MAX_SIZE - 1, base + rng.choice((0, 0, -1, 1, -4096, 4096, -rng.randrange(1, 200), rng.randrange(1, 200)))))


def length_at(offset):
    kind = rng.randrange(5)
    if kind == 0:
        length = rng.randrange(1, 64)
    elif kind == 1:
        length = rng.choice((CHUNK, BLOCK, ARCHIVE_BLOCK, 4096))
    else:
        length = rng.randrange(1, MAX_IO)
    return max(1, min(length, MAX_SIZE - offset))


def op_write(pair):
    offset = edge(pair.size())
    data = rng.randbytes(length_at(offset))
    log.append(f'write {pair.name} [{offset}, +{len(data)})')
    pair.both('write', lambda fd, _: os.pwrite(fd, data, offset))


def op_append(pair):
    data = rng.randbytes(rng.randrange(1, BLOCK + 100))
    log.append(f'append {pair.name} +{len(data)} (O_APPEND)')
    for path in (pair.test_path, pair.ref_path):
        fd = os.open(path, os.O_WRONLY | os.O_APPEND)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)


def op_read(pair):
    offset = edge(pair.size())
    length = rng.randrange(1, MAX_IO)
    fd = rng.choice((pair.test, pair.reader))
    log.append(f'read {pair.name} [{offset}, +{length})' + (' (second handle)' if fd == pair.reader else ''))
    pair.check(offset, length, fd)


def op_truncate(pair):
    size = rng.choice((0, edge(pair.size()), edge(pair.size()), max(0, pair.size() - rng.randrange(1, BLOCK))))
    log.append(f'truncate {pair.name} to {size}')
    pair.both('truncate', lambda fd, _: os.ftruncate(fd, size))


def op_fallocate(pair):
    mode = rng.choice((FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, FALLOC_FL_ZERO_RANGE,
                       FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, 0, FALLOC_FL_KEEP_SIZE))
    offset = edge(pair.size())
    length = length_at(offset)
    log.append(f'fallocate {pair.name} mode {mode:#x} [{offset}, +{length})')
    pair.both('fallocate', lambda fd, _: fallocate(fd, mode, offset, length))


def op_copy(pair, other):
    size = other.size()
    if size == 0:
        return
    source = rng.randrange(size)
    count = rng.randrange(1, min(MAX_IO, size - source) + 1)
    target = edge(pair.size())
    count = min(count, MAX_SIZE - target)
    # Within one file, overlapping ranges are EINVAL on Linux: copy between the two files only.
    log.append(f'copy_file_range {other.name} [{source}, +{count}) to {pair.name} at {target}')
    pair.both('copy_file_range', lambda fd, side: os.copy_file_range(other.test if side == 'test' else other.ref, fd, count, source, target))


def op_mmap_write(pair):
    size = pair.size()
    if size == 0:
        return
    offset = rng.randrange(size)
    data = rng.randbytes(rng.randrange(1, min(2 * BLOCK, size - offset) + 1))
    log.append(f'mmap write {pair.name} [{offset}, +{len(data)})')

    def write(fd, _):
        with mmap.mmap(fd, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE) as mapped:
            mapped[offset:offset + len(data)] = data
            if rng.random() < 0.5:
                mapped.flush()
    pair.both('mmap write', write)


def op_sync(pair):
    call = rng.choice((os.fsync, os.fdatasync))
    log.append(f'{call.__name__} {pair.name}')
    pair.both(call.__name__, lambda fd, _: call(fd))


def op_reopen(pair):
    truncate = rng.random() < 0.1
    log.append(f'reopen {pair.name}' + (' O_TRUNC' if truncate else ''))
    pair.close()
    pair.open(os.O_TRUNC if truncate else 0)


def op_check_whole(pair):
    log.append(f'check all of {pair.name}')
    pair.check_whole()


OPS_BY_WEIGHT = [(op_write, 30), (op_read, 20), (op_truncate, 5), (op_fallocate, 8), (op_copy, 6), (op_mmap_write, 5),
                 (op_sync, 5), (op_reopen, 4), (op_append, 3), (op_check_whole, 2)]
CHOICES = [op for op, weight in OPS_BY_WEIGHT for _ in range(weight)]


def main():
    pairs = {name: Pair(name) for name in NAMES}
    try:
        for pair in pairs.values():
            pair.check_whole()
        for _ in range(OPS):
            op = rng.choice(CHOICES)
            pair = pairs[rng.choice(NAMES)]
            if op is op_copy:
                op(pair, pairs['b' if pair.name == 'a' else 'a'])
            else:
                op(pair)
        log.append('fsync, close, drop caches, compare whole')
        for pair in pairs.values():
            os.fsync(pair.test)
            pair.close()
        drop_caches(1)
        for pair in pairs.values():
            pair.open(0)
            pair.check_whole()
            pair.close()
    except (Mismatch, OSError) as error:
        fail(SEED, log, error)
    print(len(log))


main()
