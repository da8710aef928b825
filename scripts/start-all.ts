/**
 * The process behind `npm start`: demo data, the backend (embedded SQLite unless DATABASE_URL), and the
 * local stand-ins for the outside world that the demo needs — the file-transfer target and, when the
 * Zoho job is present, the Zoho Books sandbox, and — unless SMTP_HOST names a real mail server — a
 * mail catcher on loopback that receives the approval links CloseDesk e-mails (the pane's demo mailbox
 * shows them). Each stand-in is optional so the backend starts even when a job's module is not part
 * of this build.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildApp } from '../server/app';
import { assertSafeToServe, ConfigError, loadConfig } from '../server/config';
import { generateDemoData } from './generate-demo-data';

type Stopper = { close(): Promise<void> | void };

async function optionalModule<T>(rel: string): Promise<T | undefined> {
  const file = path.join(__dirname, '..', rel);
  if (!['.ts', '.js'].some((ext) => fs.existsSync(file + ext))) return undefined;
  return (await import(file)) as T;
}

async function main(): Promise<void> {
  const stoppers: Stopper[] = [];
  const lines: string[] = [];
  // Before the configuration is read: the catcher's port becomes SMTP_HOST/SMTP_PORT.
  if (!process.env.SMTP_HOST) {
    const catcher = await optionalModule<{ startMailCatcher(o?: { port?: number }): Promise<Stopper & { host: string; port: number }> }>('server/dev/mail-catcher');
    if (catcher) {
      try {
        const c = await catcher.startMailCatcher({ port: Number(process.env.MAIL_CATCHER_PORT ?? 2525) });
        stoppers.push(c);
        process.env.SMTP_HOST = c.host;
        process.env.SMTP_PORT = String(c.port);
        lines.push(`Demo mail catcher: smtp://${c.host}:${c.port} (sign in as the approver's address, e.g. ap@northwind.test, to read it on the Tuition page)`);
      } catch (e) {
        lines.push(`Demo mail catcher: not started — ${(e as Error).message}`);
      }
    }
  }
  let config;
  try {
    config = loadConfig();
    // Before the demo stand-ins start: the development sign-in is for this machine only.
    assertSafeToServe(config);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const stamp = path.join(config.datasetsDir, '.generated');
  if (!fs.existsSync(stamp)) {
    await generateDemoData(config.datasetsDir);
    fs.writeFileSync(stamp, new Date().toISOString() + '\n');
  }

  // The demo's VRET inputs, unless the operator pointed the server at real ones.
  process.env.CLOSEDESK_VRET_INPUTS_DIR ??= path.join(config.datasetsDir, 'vret');
  process.env.CLOSEDESK_VRET_THR_DIR ??= path.join(config.datasetsDir, 'vret', 'thr');

  const demoFtp = await optionalModule<{ startDemoFtpTarget(dir: string): Promise<Stopper & { url?: string; port?: number }> }>(
    'server/dev/demo-ftp-target',
  );
  if (demoFtp) {
    const target = await demoFtp.startDemoFtpTarget(path.join(config.dataDir, 'ftp-target'));
    stoppers.push(target);
    lines.push(`Demo FTP target:  ${target.url ?? `ftp://127.0.0.1:${target.port}`} (files land in ${path.join(config.dataDir, 'ftp-target')})`);
  }
  const sandbox = await optionalModule<{ startZohoSandbox(o: { port: number; dataDir?: string }): Promise<Stopper & { url: string }> }>(
    'server/dev/zoho-sandbox/index',
  );
  if (sandbox) {
    // A busy port must not take the rest of the demo down with it: the line below says why.
    try {
      const sb = await sandbox.startZohoSandbox({ port: Number(process.env.ZOHO_SANDBOX_PORT ?? 3001), dataDir: path.join(config.dataDir, 'zoho-sandbox') });
      stoppers.push(sb);
      process.env.ZOHO_SANDBOX_URL ??= sb.url;
      lines.push(`Zoho sandbox:     ${sb.url}`);
    } catch (e) {
      lines.push(`Zoho sandbox:     not started — ${(e as Error).message}`);
    }
  }

  const app = await buildApp(config);
  await app.listen({ port: config.port, host: config.host });
  const origin = `${config.tls ? 'https' : 'http'}://localhost:${config.port}`;
  process.stdout.write(
    [
      '',
      'CloseDesk is running.',
      `Task pane (browser preview): ${origin}/taskpane.html`,
      `Add-in manifest:             ${origin}/manifest.xml`,
      `Store:                       ${config.databaseUrl ? 'PostgreSQL' : config.sqliteFile}`,
      `Demo datasets:               ${config.datasetsDir}`,
      ...lines,
      config.tls ? '' : 'Plain HTTP: Excel needs HTTPS to sideload; see README "Sideloading the add-in".',
      'Sign in with any name and role; `npx closedesk token --user alice --role preparer` prints a token.',
      'Ctrl+C stops everything.',
      '',
    ].join('\n'),
  );

  let closing = false;
  const stop = async () => {
    if (closing) return;
    closing = true;
    await app.close().catch(() => undefined);
    for (const s of stoppers) await Promise.resolve(s.close()).catch(() => undefined);
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e) => {
  process.stderr.write(`CloseDesk could not start: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
