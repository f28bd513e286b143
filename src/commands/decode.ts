import {Args, Flags} from '@oclif/core'
import {withProgress} from '../cli/progressBar.js'
import {EXIT_CODE_OF} from '../cli/exitCodes.js'
import {describeDecode, describeShardFiles, describeTree} from '../cli/render/decodeReport.js'
import {ShmrCommand} from '../cli/shmrCommand.js'
import type {FoundFile} from '../lib/decode/catalog.js'
import type {DecodeReport} from '../lib/decode/decodeFile.js'
import {decodeTree, type TreeReport} from '../lib/decode/decodeTree.js'
import {listShardFiles, runDecode} from '../lib/decode/runDecode.js'
import {ShmrError} from '../lib/errors.js'
import {commandLineObjectStore} from '../lib/config/objectStores.js'
import {parseSize} from '../lib/format/size.js'

export default class Decode extends ShmrCommand {
  static override args = {
    dir: Args.string({description: 'directories to search for shard files (recursively), or s3://BUCKET[/PREFIX] locations of the store --endpoint names; several may be given', required: true}),
  }
  static override description = `Rebuilds a file from its shard files alone: no config, no metadata store. Shard file names carry everything needed (file id, block index and size, scheme, shard role, length, checksum); the directories are searched recursively, so pass every archive drive directory, or one directory the shards were copied into.

Missing or damaged shards (checked against the CRC32C in their names) are rebuilt from parity while enough remain; single and mirrored blocks use any intact copy. When a block cannot be rebuilt, decode fails naming the block and its missing shards, and leaves no output file behind; --partial writes zeros for lost blocks instead and reports them. The output is written to FILE (sparse where the file has holes) or to stdout, never to a terminal. Shard files are only read.

Names are claims, checked before they are believed: a shard whose size differs from its name's, whose name gives a block size or a position shmr never writes, or that tells another scheme or length than the other shards of its block is set aside and listed, never read. Of a block's generations the newest stands unless not one of its shards holds what its name promises.

With --tree OUTDIR, decode reads the newest good metadata snapshot on the drives (each drive keeps them in its shmr-meta directory; a bucket drive under PREFIX/shmr-meta/) and rebuilds the whole tree: every file under each of its paths (hard links as links), directories, symlinks, FIFOs, sockets and device nodes, with modes, times to the nanosecond, xattrs and (as root) owners. Files it cannot rebuild are listed, with why, and the exit status says so; the rest is written.`
  static override enableJsonFlag = true
  static override examples = [
    {description: 'Rebuild the only file whose shards are on the archive drives', command: '<%= config.bin %> <%= command.id %> /mnt/smr0 /mnt/smr1 /mnt/smr2 /mnt/smr3 /mnt/smr4 /mnt/smr5 -o film.mkv'},
    {description: 'See which files are there, and in what state', command: '<%= config.bin %> <%= command.id %> --list /mnt/smr*'},
    {description: 'Rebuild every file under its path, with its owner, mode, times and xattrs, from the drives alone', command: '<%= config.bin %> <%= command.id %> --tree /restore /mnt/smr0 /mnt/smr1 /mnt/smr2 /mnt/smr3 /mnt/smr4 /mnt/smr5'},
    {description: 'Rebuild file 42 to stdout', command: '<%= config.bin %> <%= command.id %> /mnt/smr* --file 42 > film.mkv'},
    {description: 'Rebuild a file straight from bucket drives of an S3-compatible store (keys from $AWS_ACCESS_KEY_ID and $AWS_SECRET_ACCESS_KEY)', command: '<%= config.bin %> <%= command.id %> --endpoint http://10.0.0.5:8080 s3://shmr-b0 s3://shmr-b1 s3://shmr-b2 s3://shmr-b3 s3://shmr-b4 s3://shmr-b5 -o film.mkv'},
  ]
  static override flags = {
    file: Flags.integer({description: 'the file id to rebuild, when shards of several files are found', helpValue: 'ID'}),
    list: Flags.boolean({description: 'list the files found: id, blocks, size, topology, complete/recoverable/damaged'}),
    output: Flags.string({char: 'o', description: 'write the file here instead of stdout', helpValue: 'FILE'}),
    partial: Flags.boolean({description: 'write zeros for blocks that cannot be rebuilt, and report them'}),
    tree: Flags.string({
      description: 'rebuild the whole tree under this new or empty directory, from the metadata snapshot on the drives: every file under its paths, with directories, links, owners, modes, times and xattrs',
      helpValue: 'OUTDIR', exclusive: ['file', 'list', 'output', 'partial', 'size'],
    }),
    endpoint: Flags.string({description: 'the S3-compatible object store s3:// locations are in', helpValue: 'URL'}),
    region: Flags.string({description: 'the store\'s region (default us-east-1)', helpValue: 'REGION', dependsOn: ['endpoint']}),
    'credentials-file': Flags.string({description: 'a file of accessKey = and secretKey = lines (mode 600) instead of $AWS_ACCESS_KEY_ID and $AWS_SECRET_ACCESS_KEY', helpValue: 'FILE', dependsOn: ['endpoint']}),
    size: Flags.string({description: 'the file\'s full length when known (a disk image\'s size): a trailing hole is not visible in shard names', helpValue: 'SIZE'}),
  }
  static override strict = false
  static override summary = 'Rebuild a file from shard files alone (no metadata)'

  async run(): Promise<DecodeReport | FoundFile[] | TreeReport> {
    const {argv, flags} = await this.parse(Decode)
    const dirs = argv as string[]
    const store = flags.endpoint === undefined ? undefined
      : commandLineObjectStore({endpoint: flags.endpoint, region: flags.region, credentialsFile: flags['credentials-file']})
    if (flags.tree !== undefined) {
      const outDir = flags.tree
      const report = await withProgress('decode', {bar: true, interrupted: `${outDir} is incomplete; empty it and decode again`}, (progress) => decodeTree({
        dirs, store, outDir, onStart: (total) => progress.start(total), onBytes: (bytes) => progress.add(bytes),
      }))
      if (!this.jsonEnabled()) this.log(describeTree(report))
      if (report.notRebuilt.length > 0) process.exitCode = EXIT_CODE_OF.CORRUPT
      return report
    }
    if (flags.list) {
      const files = await listShardFiles(dirs, store)
      if (!this.jsonEnabled()) this.log(describeShardFiles(files))
      // Each block as it stands; the older generations decode falls back to are not listed.
      return files.map((file) => ({...file, blocks: file.blocks.map(({older: _older, ...block}) => block)}))
    }
    if (!flags.output && process.stdout.isTTY) {
      throw new ShmrError('BAD_ARGUMENT', 'refusing to write binary data to a terminal', {hint: 'use -o FILE or redirect stdout'})
    }
    if (!flags.output && this.jsonEnabled()) {
      throw new ShmrError('BAD_ARGUMENT', '--json needs -o FILE: stdout carries the file', {hint: 'add -o FILE'})
    }
    const report = await withProgress('decode', {bar: true, interrupted: `${flags.output ?? 'the output'} is incomplete; decode again to write it whole`}, (progress) => runDecode({
      dirs, store, fileId: flags.file, output: flags.output ?? process.stdout, partial: flags.partial,
      sizeBytes: flags.size === undefined ? undefined : parseSize(flags.size, 'size'),
      onStart: (file) => progress.start(file.blocks.reduce((sum, block) => sum + block.lengthBytes, 0)),
      onBytes: (bytes) => progress.add(bytes),
    }))
    if (!this.jsonEnabled()) process.stderr.write(`${describeDecode(report)}\n`)
    return report
  }
}
