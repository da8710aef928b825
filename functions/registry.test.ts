import { deferredRegistry, type CustomFunction } from './registry';

function fakeRuntime() {
  const associated: [string, CustomFunction][] = [];
  return { associated, runtime: { associate: (id: string, fn: CustomFunction) => void associated.push([id, fn]) } };
}

function deferred() {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const flush = () => new Promise((r) => setImmediate(r));

describe('deferredRegistry', () => {
  it('holds associations until Office is ready, then passes them to Excel in order', async () => {
    const ready = deferred();
    const { associated, runtime } = fakeRuntime();
    const registry = deferredRegistry(ready.promise, () => runtime);
    const a = () => 1;
    const b = () => 2;
    registry.associate('A', a);
    registry.associate('B', b);
    await flush();
    expect(associated).toEqual([]);
    ready.resolve();
    await flush();
    expect(associated).toEqual([
      ['A', a],
      ['B', b],
    ]);
    const c = () => 3;
    registry.associate('C', c);
    expect(associated.map(([id]) => id)).toEqual(['A', 'B', 'C']);
    expect(registry.ids).toEqual(['A', 'B', 'C']);
  });

  it('does nothing, without failing, where Excel has no custom functions runtime', async () => {
    const registry = deferredRegistry(Promise.resolve(), () => null);
    registry.associate('A', () => 1);
    await flush();
    expect(registry.ids).toEqual(['A']);
  });

  it('reports when Office never becomes ready', async () => {
    const ready = deferred();
    const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const { associated, runtime } = fakeRuntime();
      deferredRegistry(ready.promise, () => runtime).associate('A', () => 1);
      ready.reject(new Error('office.js could not be loaded.'));
      await flush();
      expect(associated).toEqual([]);
      expect(errors).toHaveBeenCalledWith('Office did not start; the CLOSEDESK functions are not registered', expect.any(Error));
    } finally {
      errors.mockRestore();
    }
  });
});
