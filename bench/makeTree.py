# Writes a tar of a tree like a home directory's or a source tree's, the same every run: FILES
# files, most under 16 KiB (half under 2 KiB), a few up to 1 MiB, in directories of about 20
# entries nested three deep, plus two directories of FILES // 10 files each (a photo folder, a
# mail spool). For the bench's tree section. Usage: python3 makeTree.py TAR FILES
import io, random, sys, tarfile

tar_path, files = sys.argv[1], int(sys.argv[2])
random.seed(20)
noise = random.randbytes(2 * 1024 * 1024)


def size():
    roll = random.random()
    if roll < 0.5:
        return random.randrange(0, 2048)
    if roll < 0.9:
        return random.randrange(2048, 16384)
    if roll < 0.99:
        return random.randrange(16384, 131072)
    return random.randrange(131072, 1048576)


def add(tar, name, length):
    info = tarfile.TarInfo(name)
    info.size = length
    info.mode = 0o644
    info.mtime = 1_700_000_000
    start = random.randrange(0, len(noise) - length)
    tar.addfile(info, io.BytesIO(noise[start:start + length]))


def add_dir(tar, name):
    info = tarfile.TarInfo(name)
    info.type = tarfile.DIRTYPE
    info.mode = 0o755
    info.mtime = 1_700_000_000
    tar.addfile(info)


with tarfile.open(tar_path, 'w') as tar:
    add_dir(tar, 'tree')
    big = files // 10
    for folder in ('photos', 'spool'):
        add_dir(tar, f'tree/{folder}')
        for i in range(big):
            add(tar, f'tree/{folder}/{folder}-{i:06d}.dat', size())
    left = files - 2 * big
    made = 0
    a = 0
    while made < left:
        add_dir(tar, f'tree/a{a}')
        for b in range(20):
            add_dir(tar, f'tree/a{a}/b{b}')
            for c in range(20):
                if made >= left:
                    break
                add(tar, f'tree/a{a}/b{b}/file{c}.txt', size())
                made += 1
            if made >= left:
                break
        a += 1
