import fs from 'node:fs'; import os from 'node:os'; import path from 'node:path';
import { openStore } from './server/store';
(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'h9-'));
  const store = await openStore({ sqliteFile: path.join(dir, 'x.sqlite') });
  await store.exec("CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT)");
  let t = Date.now();
  for (let i = 0; i < 100; i++) await store.exec('INSERT INTO t (a,b) VALUES ($1,$2)', [i, 'x']);
  console.log('100 inserts', Date.now() - t);
  t = Date.now();
  for (let i = 0; i < 100; i++) await store.transaction(async (tx) => { await tx.exec('UPDATE t SET b = $2 WHERE a = $1', [i, 'y']); });
  console.log('100 tx', Date.now() - t);
  console.log(os.tmpdir(), (await store.query('PRAGMA synchronous')));
})();
