/**
 * A file written to a socket through two reused buffers arrives byte for byte, whatever its size
 * against the slice; a connection that goes away fails the write instead of leaving it waiting.
 * Real TCP sockets on 127.0.0.1.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes, randomInt } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { FILE_SLICE, fileSource, writeFileTo } from './file-source';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cd-file-source-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let n = 0;
function fileOf(bytes: number): { file: string; content: Buffer } {
  const content = randomBytes(bytes);
  const file = path.join(dir, `f${++n}.bin`);
  fs.writeFileSync(file, content);
  return { file, content };
}

/** A receiver on port 0 and one connected client socket; `received` settles when the client ends or goes away. */
async function connection(onData?: (socket: net.Socket, total: number) => void): Promise<{ client: net.Socket; received: Promise<Buffer>; close: () => Promise<void> }> {
  let resolveReceived!: (b: Buffer) => void;
  const received = new Promise<Buffer>((r) => (resolveReceived = r));
  const server = net.createServer((s) => {
    const parts: Buffer[] = [];
    let total = 0;
    s.on('data', (d: Buffer) => {
      parts.push(d);
      total += d.length;
      onData?.(s, total);
    });
    s.on('close', () => resolveReceived(Buffer.concat(parts)));
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const client = net.connect(port, '127.0.0.1');
  await new Promise<void>((r, j) => client.once('connect', r).once('error', j));
  return { client, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('writeFileTo', () => {
  const slice = 4096;
  const sizes = [0, 1, slice - 1, slice, slice + 1, 2 * slice, 5 * slice + randomInt(1, slice), randomInt(1, 40 * slice)];

  it.each(sizes)('a file of %i bytes arrives byte for byte (4 KiB slices)', async (bytes) => {
    const { file, content } = fileOf(bytes);
    const c = await connection();
    await writeFileTo(file, c.client, () => false, slice);
    c.client.end();
    expect((await c.received).equals(content)).toBe(true);
    await c.close();
  });

  it('with the default slice, a file of several slices and an odd size arrives byte for byte', async () => {
    const { file, content } = fileOf(3 * FILE_SLICE + randomInt(1, FILE_SLICE));
    const c = await connection();
    await writeFileTo(file, c.client);
    c.client.end();
    expect((await c.received).equals(content)).toBe(true);
    await c.close();
  });

  it('a reader slower than the disk still gets every byte: a buffer is refilled only once the socket took it', async () => {
    const { file, content } = fileOf(24 * FILE_SLICE + 99);
    let receiver: net.Socket | undefined;
    const c = await connection((s) => {
      if (receiver) return;
      receiver = s;
      s.pause();
    });
    // The receiver reads nothing until writes are waiting in the client's socket (the kernel's buffers are full).
    const waitForBacklog = setInterval(() => {
      if (receiver && c.client.writableLength > 0) {
        clearInterval(waitForBacklog);
        setTimeout(() => receiver!.resume(), 50);
      }
    }, 1);
    await writeFileTo(file, c.client);
    clearInterval(waitForBacklog);
    receiver?.resume();
    c.client.end();
    expect((await c.received).equals(content)).toBe(true);
    await c.close();
  });

  it('stops, without error, once stopped() turns true', async () => {
    const { file, content } = fileOf(10 * slice);
    const c = await connection();
    let writes = 0;
    await writeFileTo(file, c.client, () => ++writes > 3, slice);
    c.client.end();
    const got = await c.received;
    expect(got.length).toBe(3 * slice);
    expect(got.equals(content.subarray(0, 3 * slice))).toBe(true);
    await c.close();
  });

  it('a connection the other side drops mid-file fails the write', async () => {
    const { file } = fileOf(16 << 20);
    const c = await connection((s, total) => {
      if (total >= 1 << 20) s.destroy();
    });
    await expect(writeFileTo(file, c.client, () => false, 1 << 20)).rejects.toThrow();
    await c.close();
  });

  it('a file that cannot be read fails the write and sends nothing', async () => {
    const c = await connection();
    await expect(writeFileTo(path.join(dir, 'missing.bin'), c.client)).rejects.toThrow(/ENOENT/);
    c.client.end();
    expect((await c.received).length).toBe(0);
    await c.close();
  });
});

describe('fileSource (piped into the socket, as basic-ftp does)', () => {
  it('the pipeline carries the file byte for byte and ends the socket', async () => {
    const { file, content } = fileOf(2 * FILE_SLICE + randomInt(1, FILE_SLICE));
    const c = await connection();
    await pipeline(fileSource(file, () => c.client), c.client);
    expect((await c.received).equals(content)).toBe(true);
    await c.close();
  });

  it('a file that cannot be read fails the pipeline', async () => {
    const c = await connection();
    await expect(pipeline(fileSource(path.join(dir, 'missing.bin'), () => c.client), c.client)).rejects.toThrow(/ENOENT/);
    await c.close();
  });

  it('without a data connection the pipeline fails', async () => {
    const c = await connection();
    await expect(pipeline(fileSource(fileOf(10).file, () => undefined), c.client)).rejects.toThrow(/without a data connection/);
    await c.close();
  });
});
