/**
 * `npm start`'s demo sets up the demo tuition customers on SQLite and PostgreSQL: with the demo FTP
 * target running, each customer the admin has not set up gets the demo approver address and the demo
 * partner as its delivery target; an admin's choices — made before the demo ran or after — survive
 * every later start; without the demo target (a real deployment) nothing is seeded.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/app';
import type { Config } from '../../server/config';
import { startDemoFtpTarget, DEMO_PARTNER_NAME, type DemoFtpTarget } from '../../server/dev/demo-ftp-target';
import { DEMO_TUITION_CUSTOMERS } from '../../server/jobs/tuition/demo';
import { BACKENDS, openTestBackend, testConfig, type TestBackend } from './backends';
import { devId } from './people';

jest.setTimeout(120_000);

interface CustomerView {
  name: string;
  approverEmail: string;
  updatedBy: string;
  target: { method: string; partnerName?: string; description?: string };
}

describe.each(BACKENDS)('demo tuition customers on %s', (backend) => {
  let t: TestBackend;
  let config: Config;
  let app: FastifyInstance | undefined;
  let demo: DemoFtpTarget | undefined;
  let root = '';
  const as = () => ({ authorization: `Bearer ${root}` });

  async function start() {
    app = await buildApp(config, { store: t.store });
    await app.ready();
    root = await app.ctx.auth.devIssuer!.sign({ user: 'root', roles: ['admin'] });
  }
  async function stop() {
    await app?.close();
    app = undefined;
  }
  async function customers(): Promise<Record<string, CustomerView>> {
    const r = await app!.inject({ method: 'GET', url: '/api/tuition/customers', headers: as() });
    expect(r.statusCode).toBe(200);
    return Object.fromEntries((r.json().customers as CustomerView[]).map((c) => [c.name, c]));
  }

  beforeAll(async () => {
    t = await openTestBackend(backend);
    config = testConfig(t);
    fs.mkdirSync(config.datasetsDir, { recursive: true });
  });
  afterAll(async () => {
    await stop();
    await demo?.close();
    await t?.cleanup();
  });

  test('without the demo FTP target nothing is seeded; an admin sets a delivery target for Fabrikam Inc', async () => {
    await start();
    expect(await customers()).toEqual({});
    const p = await app!.inject({ method: 'POST', url: '/api/partners', headers: as(), payload: { name: 'Fabrikam SFTP', protocol: 'ftp', host: '127.0.0.1', port: 2100, username: 'fab', password: 'Fab-Secret-1', networks: [] } });
    expect(p.statusCode).toBe(201);
    const put = await app!.inject({ method: 'PUT', url: '/api/delivery-targets', headers: as(), payload: { job: 'tuition', key: 'Fabrikam Inc', partnerId: p.json().partner.id, folder: 'fab' } });
    expect(put.statusCode).toBe(200);
    await stop();
  });

  test('the first demo start gives each demo customer the demo approver and the demo FTP target, keeping the admin\'s target', async () => {
    demo = await startDemoFtpTarget(path.join(t.dir, 'ftp-target'), { port: 0 });
    await start();
    const list = await customers();
    expect(Object.keys(list).sort()).toEqual([...DEMO_TUITION_CUSTOMERS].sort());
    expect(list['Northwind Traders']).toMatchObject({ approverEmail: 'ap@northwind.test', updatedBy: 'system:demo', target: { method: 'partner', partnerName: DEMO_PARTNER_NAME } });
    expect(list['Contoso Ltd']).toMatchObject({ approverEmail: 'ap@contoso.test', target: { method: 'partner', partnerName: DEMO_PARTNER_NAME } });
    // The admin's target for Fabrikam stays; it gets the approver only.
    expect(list['Fabrikam Inc']).toMatchObject({ approverEmail: 'ap@fabrikam.test', target: { method: 'partner', partnerName: 'Fabrikam SFTP' } });

    // The admin changes Northwind's approver and takes Contoso's invoices off the demo target.
    const nw = await app!.inject({ method: 'PUT', url: '/api/tuition/customers', headers: as(), payload: { name: 'Northwind Traders', approverEmail: 'finance@northwind.test' } });
    expect(nw.statusCode).toBe(200);
    const co = await app!.inject({ method: 'PUT', url: '/api/tuition/customers', headers: as(), payload: { name: 'Contoso Ltd', delivery: { method: 'none' } } });
    expect(co.statusCode).toBe(200);
    await stop();
  });

  test('a second demo start keeps the admin\'s changes', async () => {
    await start();
    const list = await customers();
    expect(list['Northwind Traders']).toMatchObject({ approverEmail: 'finance@northwind.test', updatedBy: devId('root'), target: { method: 'partner', partnerName: DEMO_PARTNER_NAME } });
    expect(list['Contoso Ltd']).toMatchObject({ approverEmail: 'ap@contoso.test', updatedBy: devId('root'), target: { method: 'none' } });
    expect(list['Fabrikam Inc']).toMatchObject({ approverEmail: 'ap@fabrikam.test', target: { method: 'partner', partnerName: 'Fabrikam SFTP' } });
  });
});
