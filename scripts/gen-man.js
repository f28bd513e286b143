#!/usr/bin/env node
// Writes man pages (roff) for `shmr` and each command from the oclif manifest, which the build
// generates from the commands themselves, and shmr-config(5) from docs/CONFIG.md: `npm run docs` refreshes man/, and a test fails when
// the committed pages differ from what this script writes.
import fs from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const outDir = path.resolve(process.argv[2] ?? path.join(root, 'man'))
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'oclif.manifest.json'), 'utf8'))
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'))
const exitCodes = fs.readFileSync(path.join(root, 'docs', 'CLI_ABI.md'), 'utf8')
  .split('\n').filter((line) => /^\| \d+ \|/.test(line))
  .map((line) => line.split('|').map((cell) => cell.trim()).filter(Boolean))

const esc = (text) => String(text).replace(/\\/g, '\\\\').replace(/-/g, '\\-').replace(/^([.'])/gm, '\\&$1')
const template = (text, id) => text.replace(/<%= config\.bin %>/g, 'shmr').replace(/<%= command\.id %>/g, id.replace(/:/g, ' '))
const pageName = (id) => `shmr-${id.replace(/:/g, '-')}`
const header = (name, summary) => [`.TH ${name.toUpperCase()} 1 "" "shmr ${pkg.version}" "shmr manual"`, '.SH NAME', `${esc(name)} \\- ${esc(summary)}`]

function paragraphs(text) {
  return text.split(/\n\s*\n/).map((para) => esc(para.replace(/\s*\n\s*/g, ' ').trim())).join('\n.PP\n')
}

function flagLines(flags) {
  return Object.entries(flags).sort(([a], [b]) => a.localeCompare(b)).flatMap(([name, flag]) => {
    const value = flag.type === 'option' ? `=${flag.helpValue ?? name.toUpperCase()}` : ''
    const spelled = `${flag.char ? `\\-${flag.char}, ` : ''}\\-\\-${esc(name)}${esc(value)}`
    const extra = flag.options ? ` (one of: ${flag.options.join(', ')})` : flag.default !== undefined && flag.type === 'option' ? ` (default: ${flag.default})` : ''
    return ['.TP', `.B ${spelled}`, esc(`${flag.description ?? ''}${extra}`)]
  })
}

function exitStatus() {
  return ['.SH EXIT STATUS', ...exitCodes.flatMap(([code, name, meaning]) => ['.TP', `.B ${code}`, esc(`${name}: ${meaning}`)])]
}

function commandPage(id, command) {
  const args = Object.entries(command.args ?? {}).map(([name, arg]) => (arg.required ? name.toUpperCase() : `[${name.toUpperCase()}]`))
  const usage = `shmr ${id.replace(/:/g, ' ')} [OPTIONS]${args.length ? ` ${args.join(' ')}` : ''}`
  const lines = [...header(pageName(id), command.summary ?? ''), '.SH SYNOPSIS', `.B ${esc(usage)}`, '.SH DESCRIPTION', paragraphs(command.description ?? command.summary ?? '')]
  if (Object.keys(command.args ?? {}).length > 0) {
    lines.push('.SH ARGUMENTS', ...Object.entries(command.args).flatMap(([name, arg]) => ['.TP', `.B ${esc(name.toUpperCase())}`, esc(arg.description ?? '')]))
  }
  lines.push('.SH OPTIONS', ...flagLines(command.flags ?? {}))
  if ((command.examples ?? []).length > 0) {
    lines.push('.SH EXAMPLES', ...command.examples.flatMap((example) => {
      const {description, command: text} = typeof example === 'string' ? {description: '', command: example} : example
      return [...(description ? ['.PP', esc(description)] : []), '.PP', '.RS', '.nf', esc(template(text, id)), '.fi', '.RE']
    }))
  }
  lines.push(...exitStatus(), '.SH SEE ALSO', '.BR shmr (1)')
  return `${lines.join('\n')}\n`
}

function mainPage(ids) {
  const lines = [...header('shmr', pkg.description), '.SH SYNOPSIS', '.B shmr COMMAND [OPTIONS]', '.SH DESCRIPTION',
    paragraphs(`shmr stores files as fixed-size blocks in plain files: first on a fast write pool, later (shmr shift) erasure-coded across an archive pool of SMR drives, one directory per drive. Metadata lives in an LMDB store in the metadata directory. The on-disk format is documented in docs/FORMAT.md; a file's blocks cat-ed in order are the file, and an erasure-coded block's data shards cat-ed in order are the block.\n\nEvery command that works on a filesystem reads its config from -c PATH, else $SHMR_CONFIG, else ./shmr.yaml. Every command explains itself with --help.`),
    '.SH COMMANDS', ...ids.flatMap((id) => ['.TP', `.B shmr ${esc(id.replace(/:/g, ' '))}`, esc(manifest.commands[id].summary ?? '')]),
    '.SH ENVIRONMENT', '.TP', '.B SHMR_CONFIG', 'The config file used when -c is not given.',
    '.TP', '.B SHMR_CODER_THREADS', 'Threads for erasure coding (shift, rewrite, verify \\-\\-repair, degraded reads); default: one per CPU the process may run on.',
    '.TP', '.B SHMR_BACKGROUND_THREADS', 'Threads for the file I/O, checksums and coding of tasks the mounted server runs (shift, tier, rewrite, drain, repair), at the idle I/O priority and nice 10; default: 4.',
    ...exitStatus(), '.SH SEE ALSO', [...ids.map((id) => `.BR ${pageName(id)} (1)`), '.BR shmr-config (5)'].join(',\n')]
  return `${lines.join('\n')}\n`
}

/**
 * shmr-config(5) from docs/CONFIG.md, the config's one description: headings become sections,
 * fenced blocks stay as they are, a table's rows (its header row left out) one tagged paragraph
 * each, list items indented ones.
 */
function configPage() {
  const markdown = fs.readFileSync(path.join(root, 'docs', 'CONFIG.md'), 'utf8')
  const inline = (text) => esc(text.replace(/`([^`]*)`/g, '$1').replace(/\*\*([^*]*)\*\*/g, '$1').replace(/\[([^\]]*)\]\([^)]*\)/g, '$1'))
  const lines = [`.TH SHMR-CONFIG 5 "" "shmr ${pkg.version}" "shmr manual"`, '.SH NAME', 'shmr\\-config \\- the shmr config file (YAML)']
  let fenced = false
  let inTable = false
  let paragraph = []
  const flush = () => {
    if (paragraph.length > 0) lines.push('.PP', inline(paragraph.join(' ')))
    paragraph = []
  }
  for (const line of markdown.split('\n').slice(1)) {
    const headerRow = line.startsWith('|') && !inTable
    inTable = line.startsWith('|')
    if (headerRow) {
      flush()
    } else if (line.startsWith('```')) {
      flush()
      lines.push(fenced ? '.fi\n.RE' : '.RS\n.nf')
      fenced = !fenced
    } else if (fenced) {
      lines.push(esc(line))
    } else if (/^#{1,3} /.test(line)) {
      flush()
      lines.push(`${line.startsWith('## ') ? '.SH' : '.SS'} ${inline(line.replace(/^#+ /, '')).toUpperCase()}`)
    } else if (line.startsWith('|')) {
      flush()
      const cells = line.split('|').slice(1, -1).map((cell) => cell.trim())
      if (!cells.every((cell) => /^-+$/.test(cell))) lines.push('.TP', `.B ${inline(cells[0])}`, inline(cells.slice(1).join(': ')))
    } else if (/^\s*[-*] /.test(line)) {
      flush()
      lines.push('.IP \\(bu 2', inline(line.replace(/^\s*[-*] /, '')))
    } else if (line.trim() === '') {
      flush()
    } else {
      paragraph.push(line.trim())
    }
  }
  flush()
  lines.push('.SH SEE ALSO', '.BR shmr (1),', '.BR shmr-init (1),', '.BR shmr-mount (1)')
  return `${lines.join('\n')}\n`
}

const ids = Object.keys(manifest.commands).sort()
fs.mkdirSync(outDir, {recursive: true})
fs.writeFileSync(path.join(outDir, 'shmr.1'), mainPage(ids))
for (const id of ids) fs.writeFileSync(path.join(outDir, `${pageName(id)}.1`), commandPage(id, manifest.commands[id]))
fs.writeFileSync(path.join(outDir, 'shmr-config.5'), configPage())
