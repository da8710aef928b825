/**
 * `closedesk <command> [options]` — headless entry point. Subcommands live in
 * server/cli/commands/*.ts and are discovered at run time (jobs add their own files).
 */
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, settingsTable } from './config';
import { println, UsageError, type CliCommand, type CliIo } from './cli/command';

const SOURCE_EXT = path.extname(__filename);

const COMMANDS_DIR = path.join(__dirname, 'cli', 'commands');

function loadCommandFile(file: string): CliCommand {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(file) as { command?: CliCommand; default?: CliCommand };
  const cmd = mod.command ?? mod.default;
  if (!cmd || typeof cmd.run !== 'function') throw new Error(`CLI command file ${path.basename(file)} must export { command: { name, summary, usage, run } }.`);
  return cmd;
}

export function discoverCommands(dir = COMMANDS_DIR): CliCommand[] {
  if (!fs.existsSync(dir)) return [];
  const out: CliCommand[] = [];
  for (const f of fs.readdirSync(dir).sort()) {
    if (path.extname(f) !== SOURCE_EXT || /\.(test|spec|d)\.[jt]s$/.test(f)) continue;
    out.push(loadCommandFile(path.join(dir, f)));
  }
  return out;
}

/**
 * The command called `name`. Its file is named after it, so a run loads only that module: loading
 * every job's code (exceljs, ssh2, ajv…) would add seconds to each scheduled run. Other names fall
 * back to discovering all files.
 */
export function findCommand(name: string, dir = COMMANDS_DIR): CliCommand | undefined {
  const file = path.join(dir, `${name}${SOURCE_EXT}`);
  if (/^[a-z][a-z0-9-]*$/.test(name) && fs.existsSync(file)) {
    const cmd = loadCommandFile(file);
    if (cmd.name === name) return cmd;
  }
  return discoverCommands(dir).find((c) => c.name === name);
}

function helpText(commands: CliCommand[]): string {
  const width = Math.max(...commands.map((c) => c.name.length), 4) + 2;
  return [
    'CloseDesk — month-end close automation. Usage: closedesk <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    `  ${'help'.padEnd(width)}This list, or \`closedesk help <command>\` for one command.`,
    '',
    'Settings (environment variables):',
    ...settingsTable().map((s) => `  ${s.name.padEnd(24)}${s.meaning} Default: ${s.default}.`),
  ].join('\n');
}

export async function runCli(argv: string[], io: Partial<CliIo> = {}): Promise<number> {
  const full: CliIo = { out: process.stdout, err: process.stderr, env: process.env, cwd: process.cwd(), ...io };
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    const commands = discoverCommands();
    const which = rest[0] && commands.find((c) => c.name === rest[0]);
    println(full.out, which ? which.usage : helpText(commands));
    return 0;
  }
  const cmd = findCommand(name);
  if (!cmd) {
    println(full.err, `Unknown command "${name}". Commands: ${[...discoverCommands().map((c) => c.name), 'help'].join(', ')}.`);
    return 2;
  }
  try {
    return await cmd.run(rest, full);
  } catch (err) {
    if (err instanceof UsageError) {
      println(full.err, `${err.message}\n\n${cmd.usage}`);
      return 2;
    }
    if (err instanceof ConfigError) {
      println(full.err, err.message);
      return 2;
    }
    println(full.err, `closedesk ${name} failed: ${(err as Error).message}`);
    return 1;
  }
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err) => {
      process.stderr.write(`${(err as Error).stack ?? err}\n`);
      process.exitCode = 1;
    },
  );
}
