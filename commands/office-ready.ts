/**
 * office.js is loaded by the task pane's host detection (taskpane/host.ts) with a timeout, not by
 * a blocking script tag, so a plain browser without it still starts. The ribbon commands and the
 * custom functions therefore wait for the Office global to appear before registering: a
 * capture-phase `load` listener on the document sees every script that finishes loading.
 */

/** The slice of Office.js the commands and functions use (and what tests fake). */
export interface OfficeLike {
  onReady(): Promise<{ host: unknown; platform: unknown }>;
  actions?: { associate(name: string, handler: (event: { completed(): void }) => unknown): void };
  addin?: { showAsTaskpane(): Promise<void> };
}

export interface OfficeWindow {
  Office?: unknown;
}

function officeOf(win: OfficeWindow): OfficeLike | null {
  const o = win.Office as Partial<OfficeLike> | undefined;
  return o && typeof o.onReady === 'function' ? (o as OfficeLike) : null;
}

/**
 * Resolves with Office once it is loaded and ready. Without a document to watch (Node, workers)
 * and no Office yet, it never resolves: there is nothing to register with.
 */
export function whenOfficeReady(
  win: OfficeWindow = globalThis as OfficeWindow,
  doc: EventTarget | undefined = (globalThis as { document?: EventTarget }).document,
): Promise<OfficeLike> {
  const ready = (office: OfficeLike) => office.onReady().then(() => office);
  const now = officeOf(win);
  if (now) return ready(now);
  return new Promise((resolve, reject) => {
    if (!doc) return;
    const onLoad = () => {
      const office = officeOf(win);
      if (!office) return;
      doc.removeEventListener('load', onLoad, true);
      ready(office).then(resolve, reject);
    };
    doc.addEventListener('load', onLoad, true);
  });
}
