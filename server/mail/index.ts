/**
 * E-mail from the server (tuition approval links to customers' approvers): one message per
 * connection over SMTP with nodemailer, under one deadline that covers reaching the server, its
 * greeting, TLS, signing in and sending. CloseDesk opens the TCP socket itself, so when the deadline
 * passes it destroys that socket whatever stage the exchange is in, and the send fails with a
 * sentence. Nothing is retried here: the caller decides (an approval link that was not e-mailed is
 * revoked). The password goes to nodemailer only; errors and logs carry neither it nor the message.
 */
import net from 'node:net';
import { createTransport } from 'nodemailer';
import type { MailConfig } from '../config';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

export interface SentMail {
  messageId: string;
  /** When the mail server accepted the message (ISO). */
  acceptedAt: string;
}

export interface Mailer {
  /** Sends one message; rejects with a MailError (a sentence; `detail` for the log) on any failure or at the deadline. */
  send(message: MailMessage): Promise<SentMail>;
}

export class MailError extends Error {
  constructor(
    message: string,
    /** The transport's own words, for the server log only. */
    readonly detail: string,
  ) {
    super(message);
    this.name = 'MailError';
  }
}

const SECONDS = (ms: number) => `${Math.round(ms / 1000)} s`;

function sentence(config: MailConfig, err: { code?: string; responseCode?: number }, timedOut: boolean): string {
  const server = `the mail server ${config.host}:${config.port}`;
  if (timedOut) return `The e-mail was not sent: ${server} did not finish within ${SECONDS(config.timeoutMs)}, and the connection was closed.`;
  switch (err.code) {
    case 'EAUTH':
      return `The e-mail was not sent: ${server} refused CloseDesk's sign-in (SMTP_USER and SMTP_PASSWORD).`;
    case 'EENVELOPE':
      return `The e-mail was not sent: ${server} refused the sender or the recipient address.`;
    case 'ETLS':
    case 'ENOSTARTTLS':
      return `The e-mail was not sent: no encrypted connection to ${server} could be made (SMTP_SECURE, or STARTTLS on the server).`;
    case 'EMESSAGE':
      return `The e-mail was not sent: ${server} refused the message${err.responseCode ? ` (code ${err.responseCode})` : ''}.`;
    default:
      return `The e-mail was not sent: ${server} could not be reached or closed the connection.`;
  }
}

export function createMailer(config: MailConfig): Mailer {
  return {
    send(message) {
      const sockets = new Set<net.Socket>();
      let timedOut = false;
      const transport = createTransport({
        host: config.host,
        port: config.port,
        secure: config.secure,
        requireTLS: config.requireTls,
        ...(config.user ? { auth: { user: config.user, pass: config.password ?? '' } } : {}),
        // Each stage has the whole deadline at most; the timer below bounds them all together.
        connectionTimeout: config.timeoutMs,
        greetingTimeout: config.timeoutMs,
        socketTimeout: config.timeoutMs,
        dnsTimeout: config.timeoutMs,
        logger: false,
        debug: false,
        // Our own socket, so the deadline can close it at any stage (nodemailer adds TLS over it).
        getSocket: (_options, callback) => {
          const socket = net.connect({ host: config.host, port: config.port });
          sockets.add(socket);
          let answered = false;
          const answer = (err: Error | null) => {
            if (answered) return;
            answered = true;
            if (err) callback(err);
            else callback(null, { connection: socket });
          };
          socket.once('connect', () => answer(null));
          socket.once('error', (e) => answer(e));
          socket.once('close', () => answer(new Error('the connection closed before it was made')));
        },
      });
      const sent = transport.sendMail({ from: config.from, to: message.to, subject: message.subject, text: message.text, ...(message.html ? { html: message.html } : {}) });
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          timedOut = true;
          for (const s of sockets) s.destroy();
          reject(new Error('deadline'));
        }, config.timeoutMs);
      });
      return Promise.race([sent, deadline])
        .then(
          (info) => ({ messageId: String(info.messageId ?? ''), acceptedAt: new Date().toISOString() }),
          (err: { code?: string; responseCode?: number; message?: string }) => {
            // nodemailer's own stage timeouts (connection, greeting, socket) are the same deadline.
            if (err?.code === 'ETIMEDOUT') timedOut = true;
            throw new MailError(sentence(config, err ?? {}, timedOut), timedOut ? `deadline of ${config.timeoutMs} ms` : `${err?.code ?? 'error'}: ${err?.message ?? String(err)}`);
          },
        )
        .finally(() => {
          clearTimeout(timer);
          // The late rejection of a send cut short by the deadline is already answered.
          sent.catch(() => undefined);
          for (const s of sockets) s.destroy();
          transport.close();
        });
    },
  };
}
