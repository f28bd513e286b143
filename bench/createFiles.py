# Creates COUNT files of SIZE bytes in DIR, one after another (open, write, close), and prints the
# microseconds each took on average. For the bench's tree section. Usage: python3 createFiles.py DIR COUNT SIZE
import os, sys, time

directory, count, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
data = b'x' * size
started = time.monotonic()
for i in range(count):
    fd = os.open(os.path.join(directory, f'f{i}'), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    if size:
        os.write(fd, data)
    os.close(fd)
print((time.monotonic() - started) / count * 1e6)
