/**
 * A local file written to an upload's data connection through two buffers used in turn: the next
 * slice is read from disk while the previous one is on its way out, and a buffer is filled again
 * only once the socket has taken all it held.
 *
 * Why not `createReadStream`: it allocates a new buffer for every read. A 100 MB file then puts
 * 100 MB of fresh memory through the process: page faults while reading into it, and external
 * memory growing fast enough that V8 runs a full mark-compact every few tens of MB — ten per
 * 400 MB in a small process, and each one slower the bigger the sending process's heap (a running
 * server's is). Two reused buffers do neither.
 */
import { open } from 'node:fs/promises';
import { Readable, type Writable } from 'node:stream';

/**
 * Bytes read from the file and handed to the socket at a time. Measured on loopback with 100 MiB
 * files: 64 KiB writes cost the sender 2.5× the CPU of 1 MiB ones (a trip between JavaScript, the
 * file system thread pool and the socket per slice); 4 MiB cost no less CPU than 1 MiB and faulted
 * in twice the memory.
 */
export const FILE_SLICE = 1 << 20;

/**
 * Writes the file at `path` to `socket` and resolves once the socket has taken its last byte (the
 * caller ends the socket). Stops early, without error, when `stopped()` turns true (the transfer
 * was abandoned); rejects when the file cannot be read or the socket fails or closes first. The
 * file is closed in every case.
 */
export async function writeFileTo(path: string, socket: Writable, stopped: () => boolean = () => false, slice = FILE_SLICE): Promise<void> {
  const file = await open(path, 'r');
  try {
    const buffers = [Buffer.allocUnsafeSlow(slice), Buffer.allocUnsafeSlow(slice)] as const;
    // The write that last used each buffer; it must finish before the buffer is read into again.
    const inFlight: Promise<void>[] = [Promise.resolve(), Promise.resolve()];
    for (let k: 0 | 1 = 0, at = 0; ; k = k === 0 ? 1 : 0) {
      await inFlight[k];
      if (stopped()) return;
      const { bytesRead } = await file.read(buffers[k], 0, slice, at);
      if (bytesRead === 0) break;
      at += bytesRead;
      const write = written(socket, buffers[k].subarray(0, bytesRead));
      // Awaited on the next turn; meanwhile a failure must not count as unhandled.
      write.catch(() => undefined);
      inFlight[k] = write;
    }
    await Promise.all(inFlight);
  } finally {
    await file.close();
  }
}

/** Resolves when the socket has taken `chunk` (its write callback), rejects when it fails or closes first. */
function written(socket: Writable, chunk: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const onClose = () => reject(new Error('The data connection closed during the upload.'));
    socket.once('close', onClose);
    socket.write(chunk, (e) => {
      socket.removeListener('close', onClose);
      if (e) reject(e);
      else resolve();
    });
  });
}

/**
 * For a library that pipes a Readable into the data socket it opens (basic-ftp's uploadFrom): a
 * stream that carries no data itself but, once the library starts reading it, writes the file
 * straight to `dataSocket()` with writeFileTo and then ends, so the library ends the socket after
 * the last byte. A failure destroys the stream, which fails the library's transfer.
 */
export function fileSource(path: string, dataSocket: () => Writable | undefined, slice = FILE_SLICE): Readable {
  let started = false;
  const source: Readable = new Readable({
    read() {
      if (started) return;
      started = true;
      const socket = dataSocket();
      if (!socket) return void source.destroy(new Error('The upload started without a data connection.'));
      writeFileTo(path, socket, () => source.destroyed, slice).then(
        () => source.push(null),
        (e: unknown) => source.destroy(e instanceof Error ? e : new Error(String(e))),
      );
    },
  });
  return source;
}
