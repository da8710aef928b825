import { parseArgs, type ParseArgsConfig } from 'node:util';
/**
 * A CLI subcommand: server/cli/commands/<name>.ts exporting `command` (or default) with
 * { name, summary, usage, run(argv) → exit code }. cli.ts discovers them; nothing to register.
 * Exit codes: 0 success, 1 the check failed / bad data, 2 wrong usage or settings.
 */
import type { Writable } from 'node:stream';

export interface CliIo {
  out: Writable;
  err: Writable;
  env: Record<string, string | undefined>;
  cwd: string;
}

export interface CliCommand {
  name: string;
  summary: string;
  /** Full usage text shown by `closedesk help <name>`. */
  usage: string;
  /**
   * Exit code for wrong usage (a UsageError), 2 when not given. A job whose exit code 2 means
   * "blocking problems, results incomplete" to a scheduler uses 1 here, so the two never mix.
   */
  usageExitCode?: number;
  run(argv: string[], io: CliIo): Promise<number>;
}

export class UsageError extends Error {}

/** node:util parseArgs with its complaints (unknown option, missing value) turned into usage errors. */
export function parseCommandArgs<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export function println(stream: Writable, text = ''): void {
  stream.write(text + '\n');
}
