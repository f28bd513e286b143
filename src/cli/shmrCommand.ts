import {Command, Flags} from '@oclif/core'
import {loadConfig, resolveConfigPath, type LoadOptions} from '../lib/config/loadConfig.js'
import type {ShmrConfig} from '../lib/config/types.js'
import {isShmrError, ShmrError} from '../lib/errors.js'
import {EXIT_CODE_OF} from './exitCodes.js'

/**
 * Base of every shmr command: one place that turns a ShmrError into one clear line (plus detail
 * lines and a hint) and its documented exit code, never a stack. With --json the same error goes
 * to stdout as {"error": {...}}. oclif's parse errors (a missing argument, an unknown flag, a bad
 * value) become BAD_ARGUMENT the same way: with --json they printed ~93 KB of oclif's internals.
 */
export abstract class ShmrCommand extends Command {
  protected override async catch(thrown: Error & {exitCode?: number}): Promise<unknown> {
    const error = isParseError(thrown)
      ? new ShmrError('BAD_ARGUMENT', parseErrorLine(thrown.message), {hint: `${['shmr', ...(this.id?.split(':') ?? [])].join(' ')} --help shows the usage`})
      : thrown
    if (!isShmrError(error)) return super.catch(error)
    const exit = EXIT_CODE_OF[error.code]
    if (this.jsonEnabled()) {
      this.logJson({error: {code: error.code, message: error.message, details: error.details, hint: error.hint, exit}})
    } else {
      const lines = [`shmr: ${error.message}`, ...error.details.map((detail) => `  ${detail}`)]
      if (error.hint) lines.push(`hint: ${error.hint}`)
      process.stderr.write(`${lines.join('\n')}\n`)
    }
    process.exitCode = exit
    return undefined
  }
}

/** An error oclif throws when the command line does not parse: its usage exit status, 2. */
function isParseError(error: Error): boolean {
  const oclif = (error as {oclif?: {exit?: number}}).oclif
  return typeof oclif === 'object' && oclif?.exit === 2
}

/**
 * oclif's message as one line: `Missing 1 required arg:` and the argument's name on the next,
 * `Parsing --jobs` and what was wrong on the next, `The following error occurred:` and the
 * sentences after it; its "See more help" line left out.
 */
function parseErrorLine(message: string): string {
  const lines = message.split('\n').map((line) => line.trim()).filter((line) => line !== '' && !/^See more help/.test(line))
  if (lines.length < 2) return lines[0] ?? message
  // Flags that exclude each other: the lines after the heading say which, in whole sentences.
  if (/^The following errors? occurred:$/.test(lines[0]!)) return lines.slice(1).join('; ')
  return lines[0]!.endsWith(':') ? `${lines[0]} ${lines[1]!.split(/\s+/)[0]}` : `${lines[0]}: ${lines[1]}`
}

/** A command that works on a filesystem: the global -c/--config flag. */
export abstract class FilesystemCommand extends ShmrCommand {
  static override baseFlags = {
    config: Flags.string({
      char: 'c',
      description: 'the filesystem\'s config file [default: $SHMR_CONFIG, else ./shmr.yaml]',
      helpGroup: 'GLOBAL',
      helpValue: 'PATH',
    }),
  }

  protected loadConfig(flag: string | undefined, options: LoadOptions = {}): ShmrConfig {
    return loadConfig(resolveConfigPath(flag), options)
  }
}
