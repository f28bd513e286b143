"""
Whether a tree's link counts agree with its names: each directory's nlink is 2 plus its
subdirectories, each file's the number of names it has in the tree.

usage: linkCounts.py ROOT

Prints the files and directories counted and exits 0, or prints what disagrees and exits 1.
"""
import collections
import os
import stat
import sys

root = sys.argv[1]
names = collections.Counter()
counted = {}
wrong = []
directories = 0
for directory, dirs, files in os.walk(root):
    directories += 1
    subdirectories = [name for name in dirs if not os.path.islink(os.path.join(directory, name))]
    status = os.lstat(directory)
    if status.st_nlink != 2 + len(subdirectories):
        wrong.append(f'directory {directory}: nlink {status.st_nlink}, {len(subdirectories)} subdirectories')
    for name in files:
        status = os.lstat(os.path.join(directory, name))
        if stat.S_ISREG(status.st_mode):
            names[status.st_ino] += 1
            counted[status.st_ino] = (status.st_nlink, os.path.join(directory, name))
for ino, count in names.items():
    if counted[ino][0] != count:
        wrong.append(f'file {counted[ino][1]}: nlink {counted[ino][0]}, {count} names')
if wrong:
    print('\n'.join(wrong[:20]))
    sys.exit(1)
print(f'{len(names)} files, {directories} directories')
