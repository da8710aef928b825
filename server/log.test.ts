import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { buildApp } from './app';
import { loadConfig } from './config';
import { redactUrl } from './log';

describe('logs never carry a link secret', () => {
  it('cuts approval tokens and token-like query values out of URLs', () => {
    expect(redactUrl('/tuition/approve/eyJ.abc.def?lang=en')).toBe('/tuition/approve/[redacted]?lang=en');
    expect(redactUrl('/cb?code=123&state=x&access_token=zz')).toBe('/cb?code=[redacted]&state=x&access_token=[redacted]');
    expect(redactUrl('/api/datasets/x.csv')).toBe('/api/datasets/x.csv');
  });

  it('the request log of a real server shows the route but not the token', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cd-log-'));
    let logged = '';
    const logStream = new Writable({
      write(chunk, _enc, cb) {
        logged += chunk.toString();
        cb();
      },
    });
    const config = loadConfig({ CLOSEDESK_DATA_DIR: dir, CLOSEDESK_DATASETS_DIR: dir, CLOSEDESK_HTTPS: 'off', LOG_LEVEL: 'info' }, dir);
    const app = await buildApp(config, { logStream });
    try {
      await app.inject({ method: 'GET', url: '/tuition/approve/SECRET-LINK-TOKEN-123' });
    } finally {
      await app.close();
    }
    expect(logged).toContain('/tuition/approve/[redacted]');
    expect(logged).not.toContain('SECRET-LINK-TOKEN-123');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
