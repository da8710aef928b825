/**
 * Approval links the way they really travel in tests: a local SMTP catcher (smtp-server on loopback,
 * port 0) and CloseDesk's own mailer (nodemailer) pointed at it. `linkTo` takes the newest e-mail an
 * address received about an invoice (waiting for it when none came yet) and returns the token of the
 * link in it — what the approver would click; nothing else hands a test the token. (The catcher keeps
 * a message before it answers the mailer, so after a send returns its e-mail is the newest.)
 */
import { startMailCatcher, type CaughtMail, type MailCatcher } from '../../server/dev/mail-catcher';
import { createMailer, type Mailer } from '../../server/mail';

export const PUBLIC_ORIGIN = 'https://closedesk.test';

export interface TestMail {
  catcher: MailCatcher;
  mailer: Mailer;
  publicOrigin: string;
  /** The newest e-mail to `to` about invoice `number`. */
  mailTo(to: string, number: string): Promise<CaughtMail>;
  /** The token of the approval link in that e-mail. */
  linkTo(to: string, number: string): Promise<string>;
  /** How many e-mails `to` has received so far. */
  count(to: string): number;
  close(): Promise<void>;
}

export async function startTestMail(publicOrigin = PUBLIC_ORIGIN): Promise<TestMail> {
  const catcher = await startMailCatcher({ port: 0 });
  const mailer = createMailer({ host: catcher.host, port: catcher.port, secure: false, requireTls: false, from: 'CloseDesk <closedesk@localhost>', timeoutMs: 20_000 });
  const sentTo = (to: string) => catcher.messages().filter((m) => m.to.includes(to.toLowerCase()));
  const mailTo = (to: string, number: string) => catcher.next((m) => m.to.includes(to.toLowerCase()) && m.subject.includes(number));
  return {
    catcher,
    mailer,
    publicOrigin,
    mailTo,
    async linkTo(to, number) {
      const mail = await mailTo(to, number);
      const link = mail.links.find((l) => l.startsWith(`${publicOrigin}/tuition/approve/`));
      if (!link) throw new Error(`The e-mail to ${to} about ${number} carries no approval link.`);
      return link.slice(`${publicOrigin}/tuition/approve/`.length);
    },
    count: (to) => sentTo(to).length,
    close: () => catcher.close(),
  };
}
