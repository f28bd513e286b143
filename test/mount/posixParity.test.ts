import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {describe, it} from 'node:test'
import {tempDir} from '../helpers/tempDir.js'
import {shOk, withMount} from '../helpers/mounted.js'

/**
 * One script of namespace operations, run in a native directory and on a shmr mount: every
 * result and error message must match (mergerfs's posix parity idea). Relative paths keep the
 * messages comparable; directory sizes and inode numbers, which differ by design, are not printed.
 */
const SCRIPT = String.raw`
set +e
r() { "$@" 2>&1 | sed 's/^[a-z]*: //'; echo "-> $((PIPESTATUS[0]))"; }
r mkdir d
r mkdir d
r rmdir nope
r mkdir -p d/sub/deep
r touch d/sub/f
r rmdir d
r rm d
echo hi > f1
r rmdir f1
r ln f1 f2
stat -c '%n %h %s %a %F' f1 f2
r ln f1 f2
r ln d d-link
r ln -s f1 s1
r ln -s /nowhere/at/all dangling
readlink s1 dangling
cat s1
stat -c '%n %F %s' s1
r cat dangling
r mv f2 d/
ls d
stat -c '%n %h' f1
r mv d e
ls
r mkdir empty full
touch full/x
r mv f1 empty
r mv e/sub empty
ls empty empty/sub
r mv empty full
r mv full empty/sub/deep
r mv empty empty/sub/deep
r mv empty/sub empty/sub
r mv empty/sub/f empty/sub/f
stat -c '%n %h' empty empty/sub full
echo v1 > doc; echo v2 > .doc.tmp; r mv .doc.tmp doc; cat doc; ls -a | grep doc
r chmod 640 doc
r chmod u+s,g+s doc
stat -c '%n %a' doc
r touch -d '2001-02-03 04:05:06' doc
stat -c '%n %y' doc
r touch -d '2002-03-04 05:06:07.25' doc
stat -c '%n %y %x' doc
r touch -m -d '2003-04-05 06:07:08' doc
stat -c '%n %y %x' doc
r touch -a -d '2004-05-06 07:08:09' doc
stat -c '%n %y %x' doc
r touch -d '2038-01-19 03:14:08.123456789' doc; r touch -a -d '1969-12-31 23:59:59.000000001' doc
stat -c '%n %y %x' doc
r touch -m -d '2026-12-04 20:16:40.999999999' doc; stat -c '%n %y %x' doc
cp -p doc doc-copy; stat -c '%n %y %x' doc-copy; r rm doc-copy
echo keep > kept; echo other > other
r mv -n other kept; cat kept; ls other
r mv -T --no-clobber other kept; cat kept
r mkfifo pipe
stat -c '%n %F %a' pipe
r mknod tty c 5 0; r mknod loopdev b 7 3; r mknod -m 600 null2 c 1 3
stat -c '%n %F %t:%T %a %s' tty loopdev null2
r mknod tty c 5 0
python3 -c 'import socket; socket.socket(socket.AF_UNIX).bind("sock")'; stat -c '%n %F %a %s' sock
ls -l tty loopdev sock | cut -c1 | tr -d '\n'; echo
r mv tty tty-renamed; r ln loopdev loopdev-link; stat -c '%n %h %t:%T' loopdev-link
find . -maxdepth 1 -type c -o -maxdepth 1 -type b -o -maxdepth 1 -type s | sort
r rm tty-renamed loopdev loopdev-link null2 sock
r setfattr -n user.colour -v blue doc
r getfattr -n user.colour --only-values doc; echo
echo data > capfile
r setfattr -n security.capability -v 0sAQAAAgAgAAAAAAAAAAAAAAAAAAA= capfile
getfattr -n security.capability -e hex capfile | grep capability
echo more >> capfile
r getfattr -n security.capability capfile
r getfattr -d doc
r setfattr -x user.colour doc
r getfattr -n user.colour doc
r setfattr -x user.colour doc
r touch $(printf 'n%.0s' $(seq 256))
r touch $(printf 'n%.0s' $(seq 255))
r mkdir $(printf 'm%.0s' $(seq 256))
r stat -c %n $(printf 'x%.0s' $(seq 256))
mkdir -p xa/in xb; echo left > xa/f; echo right > xb/g
exchange() { python3 -c 'import ctypes, os, sys; libc = ctypes.CDLL(None, use_errno=True); r = libc.renameat2(-100, sys.argv[1].encode(), -100, sys.argv[2].encode(), 2); e = ctypes.get_errno(); print(r, os.strerror(e) if r else "")' "$@"; }
exchange xa/f xb/g; cat xa/f xb/g
exchange xa/in xb/g; ls xa xb; stat -c '%n %h' xa xb
exchange xa xa/f
exchange xa xa/g/nothing
exchange nope xa
r cat $(printf 'y%.0s' $(seq 300))
ls | wc -l
printf 'abc' > t; r truncate -s 10 t; od -c t | head -2
r truncate -s 1 t; cat t; echo
: > zero; stat -c '%n %s' zero
yes abcdefghijklmnop | head -c 300000 > fa
r fallocate -p -o 70000 -l 140000 fa; stat -c '%n %s' fa; sha256sum fa
r fallocate -z -o 1000 -l 500 fa; sha256sum fa
r fallocate -z -o 290000 -l 20000 fa; stat -c '%n %s' fa; sha256sum fa
r fallocate -z -n -o 305000 -l 20000 fa; stat -c '%n %s' fa; sha256sum fa
r fallocate -l 400000 fa; stat -c '%n %s' fa; sha256sum fa
r fallocate -n -o 0 -l 500000 fa; stat -c '%n %s' fa
r fallocate -p -o 0 -l 600000 fa; stat -c '%n %s' fa; sha256sum fa
r fallocate -p -o 10 -l 0 fa
r fallocate -l 1000 d-none
python3 -c 'import os; src = os.open("doc", os.O_RDONLY); dst = os.open("copied", os.O_WRONLY | os.O_CREAT, 0o644); print(os.copy_file_range(src, dst, 1000), os.copy_file_range(src, dst, 1000))'; cat copied
python3 -c 'import os; fd = os.open("fa", os.O_RDWR); print(os.copy_file_range(fd, fd, 100, 0, 50))' 2>&1 | tail -1
r rm -r empty
ls
`

describe('POSIX parity with a local directory', () => {
  it('gives the same results and errors for the same namespace operations', async () => {
    const native = tempDir()
    const expected = await shOk(SCRIPT, native)
    await withMount({blockSizeBytes: 65536}, async (m) => {
      const actual = await shOk(SCRIPT, m.mnt)
      const expectedLines = expected.split('\n')
      const actualLines = actual.split('\n')
      for (let i = 0; i < Math.max(expectedLines.length, actualLines.length); i++) {
        assert.equal(actualLines[i], expectedLines[i], `line ${i + 1} differs; whole output on shmr:\n${actual}`)
      }
    })
  })
})

/**
 * Names are bytes: a file for every byte value 1-255 but '/', two Latin-1 names that UTF-8
 * decoding made one ('caf\xe9' and 'caf\xe8'), a symlink to a name that is not UTF-8, an xattr
 * name that is not either; listed, read back and renamed.
 */
const BYTE_NAMES_SCRIPT = String.raw`
import os
for b in range(1, 256):
    if b == 0x2f: continue
    with open(b'n' + bytes([b]) + b'x', 'wb') as out: out.write(bytes([b]))
with open(b'caf\xe9', 'wb') as out: out.write(b'e acute')
with open(b'caf\xe8', 'wb') as out: out.write(b'e grave')
os.symlink(b'caf\xe9', b'link\xff')
os.setxattr(b'caf\xe8', b'user.\xe8t\xe8', b'summer')
os.mkdir(b'd\x80')
os.rename(b'n\xfex', b'd\x80/moved\xfe')
names = sorted(os.listdir(b'.'))
print(len(names), names)
print(sorted(os.listdir(b'd\x80')))
print(all(open(b'n' + bytes([b]) + b'x', 'rb').read() == bytes([b]) for b in range(1, 256) if b not in (0x2f, 0xfe)))
print(open(b'caf\xe9', 'rb').read(), open(b'caf\xe8', 'rb').read(), os.readlink(b'link\xff'), open(b'link\xff', 'rb').read())
print(os.lstat(b'link\xff').st_size, os.listxattr(b'caf\xe8'), os.getxattr(b'caf\xe8', b'user.\xe8t\xe8'))
print(os.path.exists(b'caf\xc3\xa9'), os.path.exists(b'caf\xef\xbf\xbd'))
`

describe('names', () => {
  it('keeps every byte of a name, symlink target and xattr name exactly, as a local directory does', async () => {
    const native = tempDir()
    const script = path.join(tempDir(), 'names.py')
    fs.writeFileSync(script, BYTE_NAMES_SCRIPT)
    const expected = await shOk(`python3 ${script}`, native)
    assert.match(expected, /^257 /, 'every byte value but / and NUL, two Latin-1 names, a symlink and a directory')
    await withMount({blockSizeBytes: 65536}, async (m) => {
      assert.equal(await shOk(`python3 ${script}`, m.mnt), expected)
      await m.remount()
      assert.equal(await shOk(`python3 -c "import os; print(len(os.listdir(b'.')), open(b'caf\\xe9', 'rb').read())"`, m.mnt), "257 b'e acute'", 'kept across a remount')
    })
  })
})

/**
 * Extended attributes through the calls' own buffers: a size probe, a buffer too small (ERANGE),
 * Python's getxattr (which starts with 128 bytes) and shutil.copy2; then what nobody sees listed.
 */
const XATTR_SCRIPT = String.raw`
import ctypes, errno, os, shutil, subprocess
libc = ctypes.CDLL(None, use_errno=True)
def call(name, *args):
    result = getattr(libc, name)(*args)
    print(name, result, errno.errorcode.get(ctypes.get_errno()) if result < 0 else '')
with open('f', 'w') as out: out.write('hi')
os.chmod('.', 0o755)
os.setxattr('f', 'user.big', b'v' * 300)
os.setxattr('f', 'trusted.t', b'1')
call('getxattr', b'f', b'user.big', None, 0)
call('getxattr', b'f', b'user.big', ctypes.create_string_buffer(10), 10)
call('getxattr', b'f', b'user.big', ctypes.create_string_buffer(300), 300)
call('listxattr', b'f', None, 0)
call('listxattr', b'f', ctypes.create_string_buffer(5), 5)
print(len(os.getxattr('f', 'user.big')), sorted(os.listxattr('f')))
shutil.copy2('f', 'g')
print(len(os.getxattr('g', 'user.big')), sorted(os.listxattr('g')))
print(subprocess.run(['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', 'python3', '-c',
    "import os; print(sorted(os.listxattr('f')), len(os.getxattr('f', 'user.big')))"], capture_output=True, text=True).stdout)
`

describe('extended attributes', () => {
  it('answer size probes with the size and short buffers with ERANGE, as on a local directory; nobody does not see trusted.*', async () => {
    const native = tempDir()
    const script = path.join(tempDir(), 'xattrs.py')
    fs.writeFileSync(script, XATTR_SCRIPT)
    const run = (dir: string): Promise<string> => shOk(`python3 ${script}`, dir)
    const expected = await run(native)
    assert.match(expected, /getxattr -1 ERANGE/, 'the script tells a short buffer apart')
    await withMount({blockSizeBytes: 65536}, async (m) => {
      fs.chmodSync(path.dirname(m.mnt), 0o755)
      assert.equal(await run(m.mnt), expected)
    })
  })

  it('refuses with ENOSPC a name that listxattr could no longer answer (64 KiB of names); the file stays listable and copyable', async () => {
    // ext4 runs out of room for attributes sooner (a block's worth); shmr stores values in its
    // store, so the bound is the kernel's: XATTR_LIST_MAX. Without it a file got 8,000 names and
    // then every listxattr of it failed with E2BIG.
    const script = String.raw`
import os, errno
open('f', 'w').close()
n = 0
try:
    while n < 10000:
        os.setxattr('f', 'user.attribute_number_%05d' % n, b'v'); n += 1
except OSError as e:
    print(errno.errorcode[e.errno])
print(len(os.listxattr('f')) == n, n > 0)
`
    const file = path.join(tempDir(), 'manyNames.py')
    fs.writeFileSync(file, script)
    assert.equal(await shOk(`python3 ${file}`, tempDir()), 'ENOSPC\nTrue True', 'ext4 refuses with ENOSPC too')
    await withMount({}, async (m) => {
      const out = await shOk(`python3 ${file} && getfattr -d f | grep -c attribute_number && cp -a f g && getfattr -d g | grep -c attribute_number`, m.mnt)
      const names = Math.floor(65536 / 'user.attribute_number_00000\0'.length)
      assert.equal(out, `ENOSPC\nTrue True\n${names}\n${names}`)
    })
  })
})

/** A tree with everything cp -a, rsync -a and tar must carry over, all times set to one instant. */
async function makeTree(): Promise<string> {
  const source = tempDir()
  await shOk(String.raw`
    mkdir -p tree/a/b tree/c && cd tree
    head -c 300000 /dev/urandom > a/big; echo small > a/b/small; printf '' > c/empty
    ln a/b/small c/hard; ln -s ../a/big c/link; mkfifo c/fifo
    chmod 600 a/big; chmod 751 a/b; chmod 4755 c/empty
    setfattr -n user.tag -v x a/b/small
    find . -exec touch -h -d '2020-01-02 03:04:05' {} +`, source)
  return `${source}/tree`
}

const LISTING = `find . -printf '%P %M %n %s %T@ %l\n' | sort`
/** Directory sizes are the filesystem's own business (ext4 says 4096, shmr 0). */
const withoutDirSizes = (text: string): string => text.replace(/ (d[rwxsStT-]{9}) (\d+) \d+ /g, ' $1 $2 - ')

async function checkCopy(tree: string, copy: string, name: string): Promise<void> {
  assert.equal(withoutDirSizes(await shOk(LISTING, copy)), withoutDirSizes(await shOk(LISTING, tree)), `${name}: tree differs`)
  assert.equal(await shOk(`cmp ${tree}/a/big ${copy}/a/big && echo same`), 'same')
}

describe('ordinary tools on a tree', () => {
  it('cp -a and rsync -aHX copy a tree with modes, times, xattrs, symlinks and hard links intact; git clone works', async () => {
    const tree = await makeTree()
    await withMount({blockSizeBytes: 65536}, async (m) => {
      await shOk(`cp -a ${tree} ${m.mnt}/cp`)
      await checkCopy(tree, `${m.mnt}/cp`, 'cp -a')
      await shOk(`rsync -aHX ${tree}/ ${m.mnt}/rsync/`)
      await checkCopy(tree, `${m.mnt}/rsync`, 'rsync -aHX')
      for (const name of ['cp', 'rsync']) {
        assert.equal(await shOk(`getfattr -n user.tag --only-values ${m.mnt}/${name}/a/b/small`), 'x', `${name} copies xattrs`)
      }
      const source = tempDir()
      await shOk(`cd ${source} && git init -q repo && cd repo && echo hello > README && git add README && git -c user.email=t@t -c user.name=t commit -qm init`)
      await shOk(`git clone -q ${source}/repo ${m.mnt}/clone && cd ${m.mnt}/clone && git fsck --strict --no-progress && git status --porcelain`)
      assert.equal(await shOk(`cat ${m.mnt}/clone/README`), 'hello')
    })
  })

  it('tar -x restores the tree with its modification times', async () => {
    const tree = await makeTree()
    await withMount({blockSizeBytes: 65536}, async (m) => {
      await shOk(`mkdir ${m.mnt}/tar && tar -C ${tree} -cf - . | tar -C ${m.mnt}/tar -xpf -`)
      await checkCopy(tree, `${m.mnt}/tar`, 'tar')
    })
  })
})
