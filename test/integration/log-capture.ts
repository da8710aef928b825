/** Collects what the server logs, so a test can look for a secret that must never be there. */
import { Writable } from 'node:stream';

export class LogCapture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, cb: () => void) {
    this.text += chunk.toString('utf8');
    cb();
  }
}
