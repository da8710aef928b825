/**
 * Ribbon commands: the bus between ribbon handlers and the task pane app, the handlers' contract
 * with Excel (associate every manifest FunctionName, always call event.completed()), and waiting
 * for office.js, all against a fake Office global.
 */
import fs from 'node:fs';
import path from 'node:path';
import { RIBBON_COMMANDS, claimRibbonCommand, onRibbonCommand, publishRibbonCommand, ribbonCommand, type RibbonCommand } from '../../commands/bus';
import { whenOfficeReady, type OfficeLike } from '../../commands/office-ready';
import { registerRibbonCommands } from '../../commands/ribbon';
import { at, children, descendants, parseXml } from '../manifest/xml-tree';

const BUS_KEY = Symbol.for('closedesk.ribbon-bus');
const MANIFEST = path.join(__dirname, '..', '..', 'manifest.xml');

function manifestFunctionNames(): string[] {
  const root = parseXml(fs.readFileSync(MANIFEST, 'utf8'));
  return descendants(root, (e) => e.name === 'Action' && e.attrs['xsi:type'] === 'ExecuteFunction').map((a) => at(a, 'FunctionName').text);
}

type Handler = (event: { completed(): void }) => unknown;

function fakeOffice(options: { showFails?: boolean; noActions?: boolean } = {}) {
  const handlers = new Map<string, Handler>();
  const log: string[] = [];
  const office: OfficeLike = {
    onReady: async () => {
      log.push('onReady');
      return { host: 'Excel', platform: 'PC' };
    },
    actions: options.noActions ? undefined : { associate: (name, handler) => void handlers.set(name, handler) },
    addin: {
      showAsTaskpane: async () => {
        log.push('showAsTaskpane');
        if (options.showFails) throw new Error('Not supported here.');
      },
    },
  };
  return { office, handlers, log };
}

function event(log: string[]) {
  return { completed: () => void log.push('completed') };
}

beforeEach(() => {
  delete (globalThis as Record<symbol, unknown>)[BUS_KEY];
});

describe('ribbon bus', () => {
  it('delivers a command to every subscriber until they unsubscribe', () => {
    const a: RibbonCommand[] = [];
    const b: RibbonCommand[] = [];
    const offA = onRibbonCommand((c) => a.push(c));
    const offB = onRibbonCommand((c) => b.push(c));
    publishRibbonCommand(ribbonCommand('RunFifo', 1));
    offA();
    publishRibbonCommand(ribbonCommand('PostToZoho', 2));
    offB();
    expect(a).toEqual([{ name: 'RunFifo', page: 'fifo', action: 'run', at: 1 }]);
    expect(b.map((c) => c.name)).toEqual(['RunFifo', 'PostToZoho']);
  });

  it('keeps the latest command pressed before anyone listens and gives it to the first subscriber only', () => {
    publishRibbonCommand(ribbonCommand('RunFifo', 1));
    publishRibbonCommand(ribbonCommand('SendFiles', 2));
    const first: RibbonCommand[] = [];
    const second: RibbonCommand[] = [];
    onRibbonCommand((c) => first.push(c));
    onRibbonCommand((c) => second.push(c));
    expect(first).toEqual([{ name: 'SendFiles', page: 'activity', action: 'send', at: 2 }]);
    expect(second).toEqual([]);
  });

  it('still reaches the other subscribers when one throws', () => {
    const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const got: string[] = [];
      onRibbonCommand(() => {
        throw new Error('broken page');
      });
      onRibbonCommand((c) => got.push(c.name));
      publishRibbonCommand(ribbonCommand('BuildVretSheets'));
      expect(got).toEqual(['BuildVretSheets']);
      expect(errors).toHaveBeenCalledTimes(1);
    } finally {
      errors.mockRestore();
    }
  });

  it('is one bus for every bundle on the page, even with separate module copies', () => {
    let other: typeof import('../../commands/bus') | undefined;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      other = require('../../commands/bus') as typeof import('../../commands/bus');
    });
    expect(other!.onRibbonCommand).not.toBe(onRibbonCommand);
    const got: string[] = [];
    other!.onRibbonCommand((c) => got.push(c.name));
    publishRibbonCommand(ribbonCommand('PostToZoho'));
    expect(got).toEqual(['PostToZoho']);
  });

  it('lets a page claim a press once: a remount or a re-render does not start a second run', () => {
    const press = ribbonCommand('RunFifo', 10);
    expect(claimRibbonCommand(press, 'vendor-returns', 'build')).toBe(false); // not this page's press
    expect(claimRibbonCommand(null, 'fifo', 'run')).toBe(false);
    expect(claimRibbonCommand(press, 'fifo', 'run')).toBe(true);
    expect(claimRibbonCommand(press, 'fifo', 'run')).toBe(false);
    // Another bundle's copy of the module shares the guard.
    let other: typeof import('../../commands/bus') | undefined;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      other = require('../../commands/bus') as typeof import('../../commands/bus');
    });
    expect(other!.claimRibbonCommand(press, 'fifo', 'run')).toBe(false);
    // A later press is claimed again; an older replay is not.
    expect(claimRibbonCommand(ribbonCommand('RunFifo', 11), 'fifo', 'run')).toBe(true);
    expect(claimRibbonCommand(ribbonCommand('RunFifo', 9), 'fifo', 'run')).toBe(false);
    // Each page action has its own guard.
    expect(claimRibbonCommand(ribbonCommand('BuildVretSheets', 10), 'vendor-returns', 'build')).toBe(true);
  });

  it('knows only the commands in the manifest', () => {
    expect(() => ribbonCommand('Nope' as never)).toThrow('Unknown ribbon command Nope.');
  });
});

describe('registerRibbonCommands', () => {
  it('associates a handler for every ExecuteFunction name in manifest.xml', () => {
    const names = manifestFunctionNames();
    expect(names).toHaveLength(4);
    const { office, handlers } = fakeOffice();
    expect(registerRibbonCommands(office)).toEqual(names);
    expect([...handlers.keys()].sort()).toEqual([...names].sort());
  });

  it('opens the matching page through the bus, shows the task pane, then completes the event', async () => {
    const { office, handlers, log } = fakeOffice();
    registerRibbonCommands(office);
    for (const def of RIBBON_COMMANDS) {
      const got: RibbonCommand[] = [];
      const off = onRibbonCommand((c) => {
        got.push(c);
        log.push(`page ${c.page}`);
      });
      log.length = 0;
      await handlers.get(def.name)!(event(log));
      off();
      expect(got).toEqual([{ name: def.name, page: def.page, action: def.action, at: expect.any(Number) }]);
      expect(log).toEqual([`page ${def.page}`, 'showAsTaskpane', 'completed']);
    }
  });

  it('completes the event even when the task pane cannot be shown', async () => {
    const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const { office, handlers, log } = fakeOffice({ showFails: true });
      registerRibbonCommands(office);
      await handlers.get('RunFifo')!(event(log));
      expect(log).toEqual(['showAsTaskpane', 'completed']);
      expect(errors).toHaveBeenCalledWith('The ribbon command RunFifo could not open the task pane', expect.any(Error));
    } finally {
      errors.mockRestore();
    }
  });

  it('registers nothing where the host has no actions API', () => {
    expect(registerRibbonCommands(fakeOffice({ noActions: true }).office)).toEqual([]);
  });
});

describe('whenOfficeReady', () => {
  const pending = Symbol('pending');
  const settle = <T>(p: Promise<T>) => Promise.race([p, new Promise<typeof pending>((r) => setImmediate(() => r(pending)))]);

  it('resolves at once when Office is already loaded (a test stub or a static script tag)', async () => {
    const { office, log } = fakeOffice();
    await expect(whenOfficeReady({ Office: office }, new EventTarget())).resolves.toBe(office);
    expect(log).toEqual(['onReady']);
  });

  it('waits for a script load that brings Office, ignoring loads that do not', async () => {
    const win: { Office?: unknown } = {};
    const doc = new EventTarget();
    const ready = whenOfficeReady(win, doc);
    doc.dispatchEvent(new Event('load'));
    expect(await settle(ready)).toBe(pending);
    const { office } = fakeOffice();
    win.Office = office;
    doc.dispatchEvent(new Event('load'));
    expect(await settle(ready)).toBe(office);
  });

  it('never resolves without Office or a document (a plain browser that could not load office.js)', async () => {
    expect(await settle(whenOfficeReady({}, undefined))).toBe(pending);
  });
});

describe('commands bundle entry', () => {
  it('registers the ribbon handlers once Office is ready', async () => {
    const { office, handlers } = fakeOffice();
    const g = globalThis as { Office?: unknown };
    g.Office = office;
    try {
      jest.isolateModules(() => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        require('../../commands/commands');
      });
      await new Promise((r) => setImmediate(r));
      expect([...handlers.keys()]).toEqual(RIBBON_COMMANDS.map((c) => c.name));
    } finally {
      delete g.Office;
    }
  });
});

it('keeps the manifest and bus labels in step', () => {
  const root = parseXml(fs.readFileSync(MANIFEST, 'utf8'));
  const strings = new Map(
    children(at(root, 'VersionOverrides', 'Resources', 'bt:ShortStrings'), 'bt:String').map((s) => [s.attrs.id, s.attrs.DefaultValue]),
  );
  for (const c of RIBBON_COMMANDS) expect(strings.get(`${c.name}.Label`)).toBe(c.label);
});
