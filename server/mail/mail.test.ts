/**
 * The mailer against real sockets on loopback: a message reaches the SMTP catcher with its subject,
 * text and link; a server that accepts the connection and never greets is cut off at the deadline
 * (the socket closed, a sentence, no password); a closed port is a sentence too.
 */
import net from 'node:net';
import { startMailCatcher, type MailCatcher } from '../dev/mail-catcher';
import { createMailer, MailError } from './index';
import type { MailConfig } from '../config';

const config = (port: number, extra: Partial<MailConfig> = {}): MailConfig => ({ host: '127.0.0.1', port, secure: false, requireTls: false, from: 'CloseDesk <closedesk@localhost>', timeoutMs: 20_000, ...extra });

describe('mailer', () => {
  let catcher: MailCatcher;
  beforeAll(async () => {
    catcher = await startMailCatcher({ port: 0 });
  });
  afterAll(async () => {
    await catcher?.close();
  });

  it('delivers a message the catcher reads back, link included', async () => {
    const sent = await createMailer(config(catcher.port)).send({ to: 'ap@northwind.test', subject: 'Please approve tuition invoice TU-1 (Ünïcode)', text: 'Open https://closedesk.test/tuition/approve/abc.def to decide.' });
    expect(sent.messageId).not.toBe('');
    const got = await catcher.next((m) => m.subject.includes('TU-1'));
    expect(got).toMatchObject({ to: ['ap@northwind.test'], subject: 'Please approve tuition invoice TU-1 (Ünïcode)', links: ['https://closedesk.test/tuition/approve/abc.def'] });
    expect(got.from).toContain('closedesk@localhost');
  });

  it('a server that never greets is cut off at the deadline and the socket is closed', async () => {
    const held = new Set<net.Socket>();
    const closed: Promise<void>[] = [];
    const silent = net.createServer((s) => {
      held.add(s);
      closed.push(new Promise((resolve) => s.once('close', () => resolve())));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      const err = await createMailer(config(port, { timeoutMs: 1000, user: 'closedesk', password: 'smtp-secret-1' }))
        .send({ to: 'ap@northwind.test', subject: 's', text: 't' })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MailError);
      expect((err as MailError).message).toBe(`The e-mail was not sent: the mail server 127.0.0.1:${port} did not finish within 1 s, and the connection was closed.`);
      expect(`${(err as MailError).message} ${(err as MailError).detail}`).not.toContain('smtp-secret-1');
      // Our side closed the connection: the server sees it end.
      expect(held.size).toBe(1);
      await Promise.all(closed);
    } finally {
      for (const s of held) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('a closed port is a sentence', async () => {
    const free = net.createServer();
    await new Promise<void>((resolve) => free.listen(0, '127.0.0.1', () => resolve()));
    const port = (free.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => free.close(() => resolve()));
    await expect(createMailer(config(port)).send({ to: 'ap@northwind.test', subject: 's', text: 't' })).rejects.toThrow(
      `The e-mail was not sent: the mail server 127.0.0.1:${port} could not be reached or closed the connection.`,
    );
  });
});
