import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {describe, it} from 'node:test'
import {SHMR_BIN, shmr} from '../helpers/cli.js'
import {sh, shOk, withMount} from '../helpers/mounted.js'

/** Runs a command as the unprivileged user nobody. */
const asNobody = (script: string) => sh(`setpriv --reuid=65534 --regid=65534 --clear-groups bash -c ${JSON.stringify(script)}`)

describe('what shmr keeps on its drives and in its metadata', () => {
  it('is for no other user to read, whatever the umask; a mount makes an older filesystem\'s private', async (t) => {
    if (process.getuid?.() !== 0) return t.skip('needs root to switch users')
    const umask = process.umask(0o022)
    try {
      await withMount({}, async (m) => {
        const root = path.dirname(m.mnt)
        fs.chmodSync(root, 0o755)
        await shOk(`cd ${m.mnt} && echo 'the word is swordfish' > secret && chmod 600 secret && setfattr -n user.note -v swordfish secret`)
        await shOk(`cd ${m.mnt} && (head -c 600000 /dev/zero; echo swordfish) > archived && chmod 600 archived`)
        await m.unmount()
        const shifted = await shmr(['shift', '-c', m.config.file, '/archived'])
        assert.equal(shifted.exitCode, 0, shifted.stderr)
        await m.mount()
        await shOk(`cat ${m.mnt}/secret > /dev/null`)
        const stores = [m.config.metadataDir, ...m.config.pools.flatMap((pool) => pool.drives.map((drive) => drive.dir!))]
        // Every file shmr made is 0600 and every directory 0700 (the drive directories are the fixture's).
        const loose = await shOk(`find ${m.config.metadataDir} ${stores.slice(1).map((dir) => `${dir}/shmr ${dir}/.shmr-drive.json`).join(' ')} \\( -type f -perm /077 \\) -o \\( -type d -perm /077 \\)`)
        assert.equal(loose, '', 'nothing shmr made is open to group or others')
        assert.ok((await shOk(`find ${stores.join(' ')} -type f | wc -l`)) > '10', 'the check saw block, shard and metadata files')
        const snooped = await asNobody(`grep -rl swordfish ${stores.join(' ')}; cat ${stores[1]}/shmr/*/*/* ${stores[2]}/shmr/*/*/*; ${process.execPath} ${SHMR_BIN} decode ${stores.slice(2).join(' ')} --list`)
        assert.doesNotMatch(snooped.stdout, /swordfish|archived/)
        assert.match(snooped.stderr, /Permission denied/)

        // A filesystem made by an older shmr under umask 022: the next mount closes it.
        await m.unmount()
        fs.chmodSync(m.config.metadataDir, 0o755)
        fs.chmodSync(`${stores[1]}/shmr`, 0o755)
        fs.chmodSync(`${m.config.metadataDir}/shmr.mdb`, 0o644)
        await m.mount()
        assert.match(fs.readFileSync(`${m.config.metadataDir}/mount.log`, 'utf8'),
          new RegExp(`made private what other users could read: ${m.config.metadataDir} \\(was 0755\\), ${m.config.metadataDir}/shmr.mdb \\(was 0644\\), .*${stores[1]}/shmr \\(was 0755\\)`))
        assert.equal(await shOk(`stat -c %a ${m.config.metadataDir} ${m.config.metadataDir}/shmr.mdb ${stores[1]}/shmr`), '700\n600\n700')
      })
    } finally {
      process.umask(umask)
    }
  })
})

describe('several users on one mount (allow_other, default_permissions)', () => {
  it('gives other users exactly the access modes and owners give them, and what they create is theirs', async (t) => {
    if (process.getuid?.() !== 0) return t.skip('needs root to mount with allow_other and to switch users')
    await withMount({}, async (m) => {
      fs.chmodSync(path.dirname(m.mnt), 0o755) // mkdtemp made it 0700: nobody could not even reach the mount
      await shOk(`cd ${m.mnt} && echo public > open && echo secret > private && chmod 644 open && chmod 600 private && mkdir drop && chmod 1777 drop && mkdir mine && chmod 755 mine`)
      assert.equal((await asNobody(`cat ${m.mnt}/open`)).stdout, 'public')
      const readPrivate = await asNobody(`cat ${m.mnt}/private`)
      assert.notEqual(readPrivate.exitCode, 0)
      assert.match(readPrivate.stderr, /Permission denied/)
      assert.match((await asNobody(`echo x >> ${m.mnt}/open`)).stderr, /Permission denied/)
      assert.match((await asNobody(`touch ${m.mnt}/mine/f`)).stderr, /Permission denied/)
      const created = await asNobody(`cd ${m.mnt}/drop && echo hi > note && mkdir sub && stat -c '%U:%G %a' note sub && echo more >> note && cat note`)
      assert.equal(created.exitCode, 0, created.stderr)
      assert.equal(created.stdout, 'nobody:nogroup 644\nnobody:nogroup 755\nhi\nmore')
      assert.match((await asNobody(`rm ${m.mnt}/drop/../open`)).stderr, /Permission denied/)
      await shOk(`touch ${m.mnt}/drop/roots`)
      assert.match((await asNobody(`rm -f ${m.mnt}/drop/roots`)).stderr, /Operation not permitted/, 'the sticky bit protects the files of others')
    })
  })

  it('drops setuid and setgid when another user writes a file, keeps them when root does, as a local directory does', async (t) => {
    if (process.getuid?.() !== 0) return t.skip('needs root to mount with allow_other and to switch users')
    await withMount({}, async (m) => {
      fs.chmodSync(path.dirname(m.mnt), 0o755)
      const local = fs.mkdtempSync(path.join(path.dirname(m.config.metadataDir), 'local-'))
      const modes: string[] = []
      for (const dir of [local, m.mnt]) {
        fs.chmodSync(dir, 0o777)
        // The kernel drops the bits on a write by a caller without CAP_FSETID, through a setattr
        // to shmr; a server that got direct I/O for such writes would have to do it itself.
        await shOk(`cd ${dir} && echo data > byroot && echo data > bynobody && chmod 6777 byroot bynobody`)
        await shOk(`echo more >> ${dir}/byroot`)
        assert.equal((await asNobody(`echo more >> ${dir}/bynobody`)).exitCode, 0)
        modes.push(await shOk(`cd ${dir} && stat -c '%n %A' byroot bynobody && cat bynobody`))
      }
      assert.equal(modes[1], modes[0], 'shmr as a local directory')
      assert.equal(modes[0], 'byroot -rwsrwsrwx\nbynobody -rwxrwxrwx\ndata\nmore')
    })
  })
})
