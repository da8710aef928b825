/**
 * `closedesk <command> [options]` — headless entry point. Commands are discovered at run time: each
 * job's command is server/jobs/<job>/cli.ts (named after its folder), the shared ones (audit, token,
 * post, deliver, datasets) are server/cli/commands/<name>.ts. Nothing to register.
 */
import fs from 'node:fs';
import path from 'node:path';
import { println, UsageError, type CliCommand, type CliIo } from './cli/command';

/** The server's settings (zod and all), loaded only by help and by a command that reads them: a file job starts without. */
const config = () => require('./config') as typeof import('./config');

const SOURCE_EXT = path.extname(__filename);

const COMMANDS_DIR = path.join(__dirname, 'cli', 'commands');
const JOBS_DIR = path.join(__dirname, 'jobs');

/** Every command file: server/cli/commands/<name>.ts and server/jobs/<name>/cli.ts. */
export function commandFiles(dir = COMMANDS_DIR, jobsDir = JOBS_DIR): string[] {
  const shared = fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((f) => path.extname(f) === SOURCE_EXT && !/\.(test|spec|d)\.[jt]s$/.test(f))
        .map((f) => path.join(dir, f))
    : [];
  const jobs = fs.existsSync(jobsDir)
    ? fs
        .readdirSync(jobsDir)
        .map((j) => path.join(jobsDir, j, `cli${SOURCE_EXT}`))
        .filter((f) => fs.existsSync(f))
    : [];
  return [...shared, ...jobs].sort((a, b) => commandNameOf(a).localeCompare(commandNameOf(b)));
}

/** The command a file holds, by its place: jobs/<name>/cli.ts or cli/commands/<name>.ts. */
export function commandNameOf(file: string): string {
  const base = path.basename(file, SOURCE_EXT);
  return base === 'cli' ? path.basename(path.dirname(file)) : base;
}

function loadCommandFile(file: string): CliCommand {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(file) as { command?: CliCommand; default?: CliCommand };
  const cmd = mod.command ?? mod.default;
  if (!cmd || typeof cmd.run !== 'function') throw new Error(`CLI command file ${path.basename(file)} must export { command: { name, summary, usage, run } }.`);
  return cmd;
}

export function discoverCommands(dir = COMMANDS_DIR, jobsDir = JOBS_DIR): CliCommand[] {
  return commandFiles(dir, jobsDir).map(loadCommandFile);
}

/**
 * The command called `name`. Its file is named after it, so a run loads only that module: loading
 * every job's code (exceljs, ssh2, ajv…) would add seconds to each scheduled run. Other names fall
 * back to discovering all files.
 */
export function findCommand(name: string, dir = COMMANDS_DIR, jobsDir = JOBS_DIR): CliCommand | undefined {
  if (/^[a-z][a-z0-9-]*$/.test(name)) {
    for (const file of [path.join(jobsDir, name, `cli${SOURCE_EXT}`), path.join(dir, `${name}${SOURCE_EXT}`)]) {
      if (!fs.existsSync(file)) continue;
      const cmd = loadCommandFile(file);
      if (cmd.name === name) return cmd;
    }
  }
  return discoverCommands(dir, jobsDir).find((c) => c.name === name);
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
    ...config().settingsTable().map((s) => `  ${s.name.padEnd(24)}${s.meaning} Default: ${s.default}.`),
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
      return cmd.usageExitCode ?? 2;
    }
    if (err instanceof config().ConfigError) {
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
