import * as fs from 'node:fs';
import * as path from 'node:path';
import { commandFiles, commandNameOf, discoverCommands, findCommand } from './cli';

describe('closedesk command discovery', () => {
  it('names every command file after its command, so a run loads only its own module', () => {
    const files = commandFiles();
    expect(files.every((f) => fs.existsSync(f) && f.startsWith(path.join(__dirname, path.sep)))).toBe(true);
    const names = discoverCommands().map((c) => c.name);
    expect(files.map(commandNameOf).sort()).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining(['fifo', 'vret', 'settlements', 'chargebacks', 'tuition', 'post', 'deliver', 'datasets', 'audit', 'token']));
  });

  it('finds a command by name and nothing for an unknown or path-like name', () => {
    expect(findCommand('fifo')?.name).toBe('fifo');
    expect(findCommand('nope')).toBeUndefined();
    expect(findCommand('../cli')).toBeUndefined();
  });
});
