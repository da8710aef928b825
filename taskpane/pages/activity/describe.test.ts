import { describeActivity, formatWhen } from './describe';

describe('describeActivity', () => {
  it('shows a run as job, who and when, with its status', () => {
    const run = { id: 'r1', job: 'fifo', userId: 'alice', createdAt: '2026-11-21T23:07:39.000Z', status: 'done', rowCounts: { transactions: 1200, allocations: 340 } };
    expect(describeActivity(run, 'run')).toEqual({
      title: 'fifo',
      detail: '1,200 transactions · 340 allocations',
      meta: 'alice · 2026-11-21 23:07 UTC',
      status: 'done',
      tone: 'success',
    });
  });

  it('shows an audit entry as action on target', () => {
    const entry = { seq: 3, at: '2026-11-21T10:00:00Z', actor: 'bob', action: 'batch.approved', subjectType: 'batch', subjectId: 'b7', details: {} };
    const line = describeActivity(entry, 'audit');
    expect(line.title).toBe('Batch approved');
    expect(line.detail).toBe('batch b7');
    expect(line.meta).toBe('bob · 2026-11-21 10:00 UTC');
    expect(line.tone).toBe('subtle');
  });

  it('shows the person by display name, with the identity key for the tooltip', () => {
    const key = 'https://login.example/tenant#8f1c-00aa';
    const entry = { seq: 4, at: '2026-11-21T10:00:00Z', actor: key, actorName: 'Bob Baker', action: 'batch.approved', subjectType: 'batch', subjectId: 'b7' };
    expect(describeActivity(entry, 'audit')).toMatchObject({ meta: 'Bob Baker · 2026-11-21 10:00 UTC', who: 'Bob Baker', whoKey: key, when: '2026-11-21 10:00 UTC' });
    const run = { job: 'fifo', userId: key, userName: 'Alice Ng', createdAt: '2026-11-21T23:07:39.000Z' };
    expect(describeActivity(run, 'run')).toMatchObject({ meta: 'Alice Ng · 2026-11-21 23:07 UTC', who: 'Alice Ng', whoKey: key });
    // a key the server has no name for is shown as it is, with no tooltip
    const unnamed = describeActivity({ ...entry, actorName: null }, 'audit');
    expect(unnamed.meta).toBe(`${key} · 2026-11-21 10:00 UTC`);
    expect(unnamed.whoKey).toBeUndefined();
  });

  it('marks failures as danger', () => {
    expect(describeActivity({ job: 'post', status: 'failed' }, 'run').tone).toBe('danger');
  });

  it('leaves a time it does not recognise as given', () => {
    expect(formatWhen('yesterday')).toBe('yesterday');
  });
});
