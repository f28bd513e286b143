import {Command, Flags} from '@oclif/core'
import {loadConfig, resolveConfigPath} from '../lib/config/loadConfig.js'
import type {ShmrConfig} from '../lib/config/types.js'
import {isShmrError} from '../lib/errors.js'
import {EXIT_CODE_OF} from './exitCodes.js'

/**
 * Base of every shmr command: one place that turns a ShmrError into one clear line (plus detail
 * lines and a hint) and its documented exit code, never a stack. With --json the same error goes
 * to stdout as {"error": {...}}.
 */
export abstract class ShmrCommand extends Command {
  protected override async catch(error: Error & {exitCode?: number}): Promise<unknown> {
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

  protected loadConfig(flag: string | undefined): ShmrConfig {
    return loadConfig(resolveConfigPath(flag))
  }
}
