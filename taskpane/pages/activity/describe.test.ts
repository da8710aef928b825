import { describeActivity, formatWhen } from './describe';

describe('describeActivity', () => {
  it('shows a run as job, who and when, with its status', () => {
    expect(describeActivity({ id: 'r1', job: 'fifo', user: 'alice', startedAt: '2026-11-21T23:07:39.000Z', status: 'done' }, 'run')).toEqual({
      title: 'fifo',
      detail: 'r1',
      meta: 'alice · 2026-11-21 23:07 UTC',
      status: 'done',
      tone: 'success',
    });
  });

  it('shows an audit entry as action on target', () => {
    const line = describeActivity({ seq: 3, at: '2026-11-21T10:00:00Z', actor: 'bob', action: 'approve', target: 'batch 7' }, 'audit');
    expect(line.title).toBe('approve');
    expect(line.detail).toBe('batch 7');
    expect(line.meta).toBe('bob · 2026-11-21 10:00 UTC');
    expect(line.tone).toBe('subtle');
  });

  it('marks failures as danger', () => {
    expect(describeActivity({ job: 'post', status: 'failed' }, 'run').tone).toBe('danger');
  });

  it('leaves a time it does not recognise as given', () => {
    expect(formatWhen('yesterday')).toBe('yesterday');
  });
});
