/**
 * Where custom functions get associated with their metadata ids. custom-functions-metadata-plugin
 * appends `CustomFunctions.associate("ID", fn)` lines to functions.ts at build time; functions.ts
 * binds the name `CustomFunctions` to this registry so those lines never touch a missing global
 * (plain browser) and run only once Office is ready (office.js is loaded asynchronously).
 */
import { whenOfficeReady } from '../commands/office-ready';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type CustomFunction = (...args: any[]) => unknown;

interface RuntimeLike {
  associate(id: string, fn: CustomFunction): void;
}

export interface DeferredRegistry {
  associate(id: string, fn: CustomFunction): void;
  /** Ids recorded so far, in order (for tests and diagnostics). */
  readonly ids: readonly string[];
}

function runtimeOf(): RuntimeLike | null {
  const cf = (globalThis as { CustomFunctions?: Partial<RuntimeLike> }).CustomFunctions;
  return cf && typeof cf.associate === 'function' ? (cf as RuntimeLike) : null;
}

export function deferredRegistry(
  ready: Promise<unknown> = whenOfficeReady(),
  runtime: () => RuntimeLike | null = runtimeOf,
): DeferredRegistry {
  const entries: [string, CustomFunction][] = [];
  let target: RuntimeLike | null = null;
  ready.then(
    () => {
      target = runtime();
      if (target) for (const [id, fn] of entries) target.associate(id, fn);
    },
    (e: unknown) => console.error('Office did not start; the CLOSEDESK functions are not registered', e),
  );
  return {
    associate(id, fn) {
      entries.push([id, fn]);
      target?.associate(id, fn);
    },
    get ids() {
      return entries.map(([id]) => id);
    },
  };
}
