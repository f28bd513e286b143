import {execa} from 'execa'

/**
 * What a tree holds, path by path, as a real walk sees it (python's os.lstat, os.listxattr):
 * type and permission bits, owner, link count, size (not of directories: every filesystem has
 * its own), mtime to the nanosecond, sha256 of files, symlink targets, device numbers, user
 * xattrs, and which paths are one file (hard links). Paths are bytes, shown as Python's repr.
 */
export async function treeManifest(root: string): Promise<Record<string, unknown>> {
  const result = await execa('python3', ['-c', SCRIPT, root], {stdin: 'ignore'})
  return JSON.parse(result.stdout) as Record<string, unknown>
}

const SCRIPT = String.raw`
import hashlib, json, os, stat, sys
root = os.fsencode(sys.argv[1])
entries, by_inode = {}, {}
for here, dirs, files in os.walk(root):
    for name in dirs + files + ([] if here != root else [b'']):
        full = os.path.join(here, name) if name else root
        rel = repr(os.path.relpath(full, root))
        st = os.lstat(full)
        entry = {'mode': oct(st.st_mode), 'uid': st.st_uid, 'gid': st.st_gid, 'mtime_ns': st.st_mtime_ns}
        if not stat.S_ISDIR(st.st_mode):
            entry['nlink'] = st.st_nlink
            entry['size'] = st.st_size
        if stat.S_ISREG(st.st_mode):
            with open(full, 'rb') as f:
                entry['sha256'] = hashlib.sha256(f.read()).hexdigest()
            by_inode.setdefault(st.st_ino, []).append(rel)
        if stat.S_ISLNK(st.st_mode):
            entry['target'] = repr(os.readlink(full))
        if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
            entry['rdev'] = st.st_rdev
        if not stat.S_ISLNK(st.st_mode) and not stat.S_ISFIFO(st.st_mode) and not stat.S_ISSOCK(st.st_mode) and not stat.S_ISCHR(st.st_mode) and not stat.S_ISBLK(st.st_mode):
            entry['xattrs'] = {repr(k): os.getxattr(full, k, follow_symlinks=False).hex() for k in sorted(os.listxattr(full, follow_symlinks=False)) if k.startswith('user.')}
        entries[rel] = entry
for paths in by_inode.values():
    for p in paths:
        entries[p]['links'] = sorted(paths)
json.dump(entries, sys.stdout, sort_keys=True)
`
