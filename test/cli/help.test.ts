import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {describe, it} from 'node:test'
import {execa, execaSync} from 'execa'
import {REPO_ROOT, shmr} from '../helpers/cli.js'
import {tempDir} from '../helpers/tempDir.js'

const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, {flags?: Record<string, unknown>}>}
const commandIds = Object.keys(manifest.commands).sort()

describe('help, version and man pages', () => {
  it('shmr --help lists every command (topics list theirs), and --version prints the version', async () => {
    const help = await shmr(['--help'])
    assert.equal(help.exitCode, 0)
    for (const id of commandIds) {
      const [topic, command] = id.split(':')
      if (command === undefined) {
        assert.match(help.stdout, new RegExp(`^ {2}${topic} `, 'm'))
        continue
      }
      assert.match(help.stdout, new RegExp(`^ {2}${topic} `, 'm'), `topic ${topic} in shmr --help`)
      const topicHelp = await shmr([topic!, '--help'])
      assert.match(topicHelp.stdout, new RegExp(`\\b${topic} ${command}\\b`), `${topic} ${command} in shmr ${topic} --help`)
    }
    const version = await shmr(['--version'])
    assert.match(version.stdout, /^shmr\/\d+\.\d+\.\d+ /)
  })

  for (const id of commandIds) {
    it(`shmr ${id.replace(/:/g, ' ')} --help has a description and examples`, async () => {
      const result = await shmr([...id.split(':'), '--help'])
      assert.equal(result.exitCode, 0)
      assert.match(result.stdout, /DESCRIPTION/)
      assert.match(result.stdout, /EXAMPLES/)
    })
  }

  it('the install puts a shmr command on the PATH (scripts/install.sh, which the suite ran first)', async () => {
    // A login shell's PATH, as a user who just ran scripts/demo.sh gets it.
    const found = await execa('bash', ['-lc', 'command -v shmr && shmr --version'], {reject: false, cwd: '/'})
    assert.equal(found.exitCode, 0, `shmr is not on the PATH: ${found.stderr}`)
    assert.match(String(found.stdout), /shmr\/\d+\.\d+\.\d+/)
  })

  it('a command line that does not parse answers BAD_ARGUMENT, exit 2, in one line or the documented --json shape', async () => {
    const cases: Array<{argv: string[]; message: RegExp}> = [
      ...commandIds.map((id) => ({argv: [...id.split(':'), '--bogus-flag'], message: /^Nonexistent flag: --bogus-flag$/})),
      {argv: ['shift'], message: /^Missing 1 required arg: target$/},
      {argv: ['decode'], message: /^Missing 1 required arg: dir$/},
      {argv: ['shift', '/x', '--jobs', 'many'], message: /^Parsing --jobs: Expected an integer but received: many$/},
    ]
    for (const {argv, message} of cases) {
      const plain = await shmr(argv)
      assert.equal(plain.exitCode, 2, `${argv.join(' ')}: ${plain.stderr}`)
      const [line, hint, ...rest] = plain.stderr.trim().split('\n')
      assert.match(line!.replace(/^shmr: /, ''), message, argv.join(' '))
      assert.match(hint!, /^hint: shmr .* --help shows the usage$/)
      assert.deepEqual(rest, [], `${argv.join(' ')}: two lines, no usage dump or stack`)
      const id = commandIds.find((candidate) => argv.join(' ').startsWith(candidate.replace(/:/g, ' ')))!
      if (!manifest.commands[id]!.flags?.json) continue
      const json = await shmr([...argv, '--json'])
      assert.equal(json.exitCode, 2, argv.join(' '))
      assert.ok(json.stdout.length < 400, `${argv.join(' ')} --json printed ${json.stdout.length} bytes`)
      const {error} = JSON.parse(json.stdout) as {error: {code: string; message: string; hint: string; exit: number}}
      assert.deepEqual([error.code, error.exit], ['BAD_ARGUMENT', 2])
      assert.match(error.message, message)
    }
  })

  it('every hint that points to a man page or a doc names one that exists', () => {
    const sources = execaSync('grep', ['-rhoE', '(man shmr[a-z-]*|man/shmr[a-z-]*\\.[0-9]|docs/[A-Za-z_]+\\.md)', path.join(REPO_ROOT, 'src')]).stdout.split('\n').filter(Boolean)
    assert.ok(sources.length > 0, 'the source names some')
    for (const reference of new Set(sources)) {
      const exists = reference.startsWith('man ')
        ? fs.readdirSync(path.join(REPO_ROOT, 'man')).some((page) => page.replace(/\.\d$/, '') === reference.slice(4))
        : fs.existsSync(path.join(REPO_ROOT, reference))
      assert.ok(exists, `${reference} is named in src/ but does not exist`)
    }
  })

  it('man/ holds a page for shmr and each command, as generated from the commands', async () => {
    const fresh = tempDir()
    await execa(process.execPath, [path.join(REPO_ROOT, 'scripts', 'gen-man.js'), fresh])
    const expected = fs.readdirSync(fresh).sort()
    assert.deepEqual(expected, ['shmr.1', 'shmr-config.5', ...commandIds.map((id) => `shmr-${id.replace(/:/g, '-')}.1`)].sort())
    assert.deepEqual(fs.readdirSync(path.join(REPO_ROOT, 'man')).sort(), expected, 'man/ has exactly these pages')
    for (const page of expected) {
      assert.equal(fs.readFileSync(path.join(REPO_ROOT, 'man', page), 'utf8'), fs.readFileSync(path.join(fresh, page), 'utf8'),
        `man/${page} is stale: run \`npm run docs\``)
    }
  })
})
