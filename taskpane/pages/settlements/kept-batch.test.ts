import { keepBatchId, keptBatchId } from './kept-batch';

/** A sessionStorage over a Map, as a browser gives it. */
function workingStorage(): Storage {
  const m = new Map<string, string>();
  return {
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => void m.set(k, v),
    removeItem: (k: string) => void m.delete(k),
    clear: () => m.clear(),
    key: () => null,
    get length() {
      return m.size;
    },
  };
}

/** Storage in a blocked frame, or full: every call throws. */
function throwing(): Storage {
  const no = () => {
    throw new Error('SecurityError: the storage is not available');
  };
  return { getItem: no, setItem: no, removeItem: no, clear: no, key: no, length: 0 };
}

describe('the batch a workbook prepared, kept for the panel', () => {
  it('is still followed when the storage throws or is missing (blocked frame, storage full): kept in memory', () => {
    keepBatchId('Settlement A', 'bat_rest', throwing);
    expect(keptBatchId('Settlement A', throwing)).toBe('bat_rest');
    expect(keptBatchId('Settlement A', () => null)).toBe('bat_rest');
    keepBatchId('Settlement B', 'bat_b', () => null);
    expect(keptBatchId('Settlement B', throwing)).toBe('bat_b');
    // another workbook's batch is not this one's
    expect(keptBatchId('Settlement C', throwing)).toBeNull();
  });

  it('is read from the storage a runtime before wrote, and keeps only the id (the STATUS is the server’s)', () => {
    const storage = workingStorage();
    storage.setItem('closedesk.settlements.postBatch', JSON.stringify({ title: 'Settlement D', id: 'bat_d', earlier: [{ idempotencyKey: 'k' }] }));
    expect(keptBatchId('Settlement D', () => storage)).toBe('bat_d');
    keepBatchId('Settlement E', 'bat_e', () => storage);
    expect(JSON.parse(storage.getItem('closedesk.settlements.postBatch')!)).toEqual({ title: 'Settlement E', id: 'bat_e' });
    expect(keptBatchId('Settlement E', throwing)).toBe('bat_e');
  });
});
