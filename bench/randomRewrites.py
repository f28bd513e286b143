# Random 64 KiB writes over an existing file with an fsync every EVERY writes, WRITES in all; after
# each fsync it adds up what the files under POOL take on disk (st_blocks), less what they took
# besides this file at the start. Prints the most it saw and the write rate in MB/s. The defects
# issue's workload, for `npm run bench` (section rewrites) and test/mount/rewrites.test.ts.
# Usage: python3 randomRewrites.py FILE POOL SIZE WRITES EVERY
import os, random, sys, time

path, pool, size, writes, every = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])


def pool_bytes():
    total = 0
    for top, dirs, files in os.walk(pool):
        for name in files:
            try:
                total += os.lstat(os.path.join(top, name)).st_blocks * 512
            except FileNotFoundError:
                pass  # deleted while walking
    return total


random.seed(7)
chunk = os.urandom(65536)
others = pool_bytes() - size
fd = os.open(path, os.O_WRONLY)
most, started = 0, time.monotonic()
for i in range(writes):
    os.pwrite(fd, chunk, random.randrange(size // 65536) * 65536)
    if (i + 1) % every == 0:
        os.fsync(fd)
        most = max(most, pool_bytes() - others)
os.close(fd)
print(most, writes * 65536 / 1e6 / (time.monotonic() - started))
