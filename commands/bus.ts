/**
 * Ribbon → task pane messages. In the shared runtime the ribbon handlers (commands.ts) and the
 * React app run on one page but come from separate webpack bundles, each with its own module
 * copies, so the bus lives on globalThis: whichever bundle imports this file sees the same one.
 * A command that arrives before the app subscribes (ribbon clicked while the app is still
 * starting) is kept and handed to the first subscriber, so no click is lost.
 */

/** The ExecuteFunction names in manifest.xml, each with the page it opens and what that page should do. */
export const RIBBON_COMMANDS = [
  { name: 'RunFifo', label: 'Run FIFO', page: 'fifo', action: 'run' },
  { name: 'BuildVretSheets', label: 'Build VRET sheets', page: 'vendor-returns', action: 'build' },
  { name: 'PostToZoho', label: 'Post to Zoho', page: 'settlements', action: 'post' },
  // Files go out only after approval, and approved batches of every job are listed on Activity.
  { name: 'SendFiles', label: 'Send files', page: 'activity', action: 'send' },
] as const;

export type RibbonCommandName = (typeof RIBBON_COMMANDS)[number]['name'];
export type RibbonPage = (typeof RIBBON_COMMANDS)[number]['page'];
export type RibbonAction = (typeof RIBBON_COMMANDS)[number]['action'];

export interface RibbonCommand {
  name: RibbonCommandName;
  /** Task pane page to open. */
  page: RibbonPage;
  /** What the page should start once open. */
  action: RibbonAction;
  /** When the button was pressed (epoch ms), so a page can ignore a stale replay. */
  at: number;
}

export type RibbonListener = (command: RibbonCommand) => void;

interface Bus {
  listeners: Set<RibbonListener>;
  pending: RibbonCommand | null;
  /** The press last acted on per page action (`fifo:run` → its `at`), so one press starts one run. */
  claimed: Map<string, number>;
}

const BUS_KEY = Symbol.for('closedesk.ribbon-bus');

function bus(): Bus {
  const g = globalThis as unknown as Record<symbol, Bus | undefined>;
  let b = g[BUS_KEY];
  if (!b) {
    b = { listeners: new Set(), pending: null, claimed: new Map() };
    g[BUS_KEY] = b;
  }
  return b;
}

export function ribbonCommand(name: RibbonCommandName, at: number = Date.now()): RibbonCommand {
  const def = RIBBON_COMMANDS.find((c) => c.name === name);
  if (!def) throw new Error(`Unknown ribbon command ${String(name)}.`);
  return { name: def.name, page: def.page, action: def.action, at };
}

function deliver(listener: RibbonListener, command: RibbonCommand): void {
  try {
    listener(command);
  } catch (e) {
    // One broken subscriber must not keep the others from hearing the click.
    console.error('A ribbon command listener failed', e);
  }
}

/** Sends a command to every subscriber; with none yet, keeps it (the latest wins) for the first. */
export function publishRibbonCommand(command: RibbonCommand): void {
  const b = bus();
  if (b.listeners.size === 0) {
    b.pending = command;
    return;
  }
  for (const l of [...b.listeners]) deliver(l, command);
}

/** Subscribes; a command kept while nobody listened is delivered at once. Returns the unsubscribe. */
export function onRibbonCommand(listener: RibbonListener): () => void {
  const b = bus();
  b.listeners.add(listener);
  const pending = b.pending;
  if (pending) {
    b.pending = null;
    deliver(listener, pending);
  }
  return () => {
    b.listeners.delete(listener);
  };
}

/**
 * The ribbon guard: true exactly once for a press meant for `page`/`action`. A page that comes back
 * into view, re-renders or remounts sees the same press again and must not start a second run.
 */
export function claimRibbonCommand(command: RibbonCommand | null | undefined, page: RibbonPage, action: RibbonAction): boolean {
  if (!command || command.page !== page || command.action !== action) return false;
  const b = bus();
  const key = `${page}:${action}`;
  if (command.at <= (b.claimed.get(key) ?? -Infinity)) return false;
  b.claimed.set(key, command.at);
  return true;
}
