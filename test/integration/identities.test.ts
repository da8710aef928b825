/**
 * Display names beside identity keys, on SQLite and a real PostgreSQL: each authenticated request
 * records the person's latest name and e-mail (a write only when they changed), and the Activity
 * listings (/api/audit, /api/runs) return the name beside the key — the actor itself stays the key.
 */
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/app';
import { displayNames, noteIdentity } from '../../server/store/identities';
import { BACKENDS, openTestBackend, testConfig, type TestBackend } from './backends';
import { devId } from './people';

describe.each(BACKENDS)('identities and display names on %s', (backend) => {
  let t: TestBackend;
  let app: FastifyInstance;

  beforeAll(async () => {
    t = await openTestBackend(backend);
    const config = testConfig(t);
    app = await buildApp(config, { store: t.store });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await t?.cleanup();
  });

  const row = (key: string) => t.store.one<{ display_name: string; email: string | null; seen_at: string }>('SELECT display_name, email, seen_at FROM identities WHERE identity_key = $1', [key]);
  const as = async (user: string, name: string) => ({ authorization: `Bearer ${await app.ctx.auth.devIssuer!.sign({ user, roles: ['preparer', 'approver'], name })}` });
  const recordRun = async (headers: Record<string, string>) => {
    const r = await app.inject({ method: 'POST', url: '/api/runs', headers, payload: { job: 'fifo', rowCounts: { transactions: 3 } } });
    expect(r.statusCode).toBe(201);
    return r.json().run.id as string;
  };

  test('a request records the name; the audit and runs listings show it beside the key', async () => {
    const key = devId('dana');
    expect(await row(key)).toBeUndefined();
    const runId = await recordRun(await as('dana', 'Dana Dörfler'));
    expect(await row(key)).toMatchObject({ display_name: 'Dana Dörfler', email: null });

    const audit = await app.inject({ method: 'GET', url: '/api/audit?subjectType=run&subjectId=' + runId, headers: await as('erin', 'Erin E.') });
    expect(audit.statusCode).toBe(200);
    expect(audit.json().entries).toEqual([expect.objectContaining({ actor: key, actorName: 'Dana Dörfler', action: 'run.recorded' })]);
    const runs = await app.inject({ method: 'GET', url: '/api/runs', headers: await as('erin', 'Erin E.') });
    expect(runs.json().runs.find((r: { id: string }) => r.id === runId)).toMatchObject({ userId: key, userName: 'Dana Dörfler' });
    // an actor never seen signing in (CloseDesk's own processes) has no name: the key is all there is
    await app.ctx.audit.append({ actor: 'system:worker', action: 'batch.send-refused', subjectType: 'run', subjectId: runId });
    const both = (await app.inject({ method: 'GET', url: '/api/audit?subjectType=run&subjectId=' + runId, headers: await as('erin', 'Erin E.') })).json().entries;
    expect(both.map((e: { actor: string; actorName: string | null }) => [e.actor, e.actorName]).sort()).toEqual([[key, 'Dana Dörfler'], ['system:worker', null]].sort());
  });

  test('a changed name replaces the old one for every listing; an unchanged one writes nothing', async () => {
    const key = devId('fay');
    const runId = await recordRun(await as('fay', 'Fay Old'));
    const first = (await row(key))!;
    await recordRun(await as('fay', 'Fay Old'));
    expect(await row(key)).toEqual(first);
    expect(await noteIdentity(t.store, { id: key, name: 'Fay Old' })).toBe(false);

    await recordRun(await as('fay', 'Fay New'));
    expect(await row(key)).toMatchObject({ display_name: 'Fay New' });
    expect((await t.store.query('SELECT identity_key FROM identities WHERE identity_key = $1', [key])).length).toBe(1);
    const entries = (await app.inject({ method: 'GET', url: '/api/audit?subjectType=run&subjectId=' + runId, headers: await as('erin', 'Erin E.') })).json().entries;
    expect(entries).toEqual([expect.objectContaining({ actor: key, actorName: 'Fay New' })]);
  });

  test('the store helpers: e-mail kept, another process’s write seen, unknown keys left out', async () => {
    const key = 'https://login.example/tenant#0000-gina';
    expect(await noteIdentity(t.store, { id: key, name: 'Gina', email: 'gina@example.com' })).toBe(true);
    expect(await noteIdentity(t.store, { id: key, name: 'Gina', email: 'gina@example.com' })).toBe(false);
    expect(await row(key)).toMatchObject({ display_name: 'Gina', email: 'gina@example.com' });
    // another instance renamed her: this one writes its own (newer) sign-in's name again
    await t.store.exec('UPDATE identities SET display_name = $2 WHERE identity_key = $1', [key, 'Gina (other)']);
    expect(await displayNames(t.store, [key, 'nobody#x'])).toEqual(new Map([[key, 'Gina (other)']]));
    expect(await noteIdentity(t.store, { id: key, name: 'Gina R.', email: 'gina@example.com' })).toBe(true);
    expect(await displayNames(t.store, [key])).toEqual(new Map([[key, 'Gina R.']]));
  });
});
