/**
 * The e-mail that carries an approval link to the customer's approver: what the invoice is, its
 * total, the link (the only place the token is ever written outside the server) and how long it
 * works. Plain text first (every mail reader shows it), and the same in simple HTML.
 */
import { displayAmount, utcMinute } from '../../../src/kernel';
import type { MailMessage } from '../../mail';
import type { StoredInvoice } from './invoices';
import { esc } from './page';


export function approvalMail(inv: StoredInvoice, to: string, url: string, expiresAt: string): MailMessage {
  const d = inv.document;
  const total = `${displayAmount(d.totalCents, d.currency)} ${d.currency}`;
  const lines = `${d.lines.length} line${d.lines.length === 1 ? '' : 's'}`;
  const subject = `Please approve tuition invoice ${d.number} (${d.customer}, ${d.month})`;
  const text = [
    'Hello,',
    '',
    `tuition invoice ${d.number} for ${d.customer}, ${d.month} (${lines}, total ${total}, version ${inv.version}) is ready for your approval.`,
    'Open this link to see every line and to approve or deny it:',
    '',
    url,
    '',
    `The link works once and until ${utcMinute(expiresAt)}. It was sent to you, ${to}, as the approver ${d.customer} named; please do not pass it on.`,
    'If you did not expect this e-mail, ignore it: nothing is approved unless you open the link and approve.',
  ].join('\n');
  const html = `<p>Hello,</p>
<p>Tuition invoice <strong>${esc(d.number)}</strong> for ${esc(d.customer)}, ${esc(d.month)} (${esc(lines)}, total <strong>${esc(total)}</strong>, version ${inv.version}) is ready for your approval.</p>
<p><a href="${esc(url)}">See the invoice and approve or deny it</a></p>
<p>The link works once and until ${esc(utcMinute(expiresAt))}. It was sent to you, ${esc(to)}, as the approver ${esc(d.customer)} named; please do not pass it on.
If you did not expect this e-mail, ignore it: nothing is approved unless you open the link and approve.</p>`;
  return { to, subject, text, html };
}
