/**
 * The customer's approval page: plain server-rendered HTML (no script, no Excel), readable by screen
 * readers (landmarks, a captioned table with header cells, labelled fields), usable on a phone.
 * Every value is HTML-escaped; the form carries the hash of the exact version shown.
 */
import { displayAmount, utcMinute } from '../../../src/kernel';
import { expenseTypeWords } from '../../../src/tuition/zoho';
import type { StoredInvoice } from './invoices';

export const esc = (s: unknown): string =>
  String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1b1b1b;background:#f6f6f6;line-height:1.5}
main{max-width:52rem;margin:0 auto;padding:1.5rem;background:#fff;min-height:100vh}
h1{font-size:1.5rem;margin:.2rem 0 1rem}
table{border-collapse:collapse;width:100%;margin:1rem 0}
caption{text-align:left;font-weight:600;padding:.3rem 0}
th,td{border-bottom:1px solid #ddd;padding:.45rem .5rem;text-align:left;vertical-align:top}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
tfoot th,tfoot td{font-weight:700;border-top:2px solid #1b1b1b}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}
dt{font-weight:600}
form{margin:1rem 0;padding:1rem;border:1px solid #ccc;border-radius:6px}
button{font-size:1rem;padding:.55rem 1.2rem;border-radius:4px;border:1px solid #0f5c2e;cursor:pointer}
button.approve{background:#107c41;color:#fff}
button.deny{background:#fff;color:#a4262c;border-color:#a4262c}
button:focus,textarea:focus,input:focus{outline:3px solid #0b57d0;outline-offset:2px}
label{display:block;font-weight:600;margin-bottom:.3rem}
textarea{width:100%;min-height:4rem;font:inherit;box-sizing:border-box}
.note{color:#555;font-size:.9rem}
.alert{padding:1rem;border-radius:6px;border:1px solid #a4262c;background:#fde7e9}
.ok{padding:1rem;border-radius:6px;border:1px solid #107c41;background:#dff6dd}
.hash{font-family:ui-monospace,Consolas,monospace;font-size:.8rem;word-break:break-all}
`;

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>`;
}

export function invoiceTable(inv: StoredInvoice): string {
  const d = inv.document;
  const rows = d.lines
    .map(
      (l) =>
        `<tr><td>${esc(l.user)}</td><td>${esc(expenseTypeWords(l.expenseType))}</td><td class="num">${l.items}</td><td class="num">${esc(displayAmount(l.cents, d.currency))}</td></tr>`,
    )
    .join('\n');
  return `<table>
<caption>Lines of invoice ${esc(d.number)} (amounts in ${esc(d.currency)})</caption>
<thead><tr><th scope="col">Employee</th><th scope="col">Expense type</th><th scope="col" class="num">Items</th><th scope="col" class="num">Amount (${esc(d.currency)})</th></tr></thead>
<tbody>
${rows}
</tbody>
<tfoot><tr><th scope="row" colspan="3">Total</th><td class="num" data-testid="total">${esc(displayAmount(d.totalCents, d.currency))} ${esc(d.currency)}</td></tr></tfoot>
</table>`;
}

function summary(inv: StoredInvoice): string {
  const d = inv.document;
  return `<dl>
<dt>Invoice</dt><dd>${esc(d.number)} (version ${inv.version})</dd>
<dt>Customer</dt><dd>${esc(d.customer)}</dd>
<dt>Month</dt><dd>${esc(d.month)}</dd>
<dt>Education partners</dt><dd>${esc(d.partners.join(', '))}</dd>
</dl>`;
}

/** `decidingAs`: the address the link was e-mailed to — whoever holds the link decides as that approver. */
export function approvalPage(inv: StoredInvoice, token: string, expiresAt: string, decidingAs: string, error?: string): string {
  const action = `/tuition/approve/${esc(token)}`;
  return layout(
    `Approve tuition invoice ${inv.number}`,
    `<h1>Tuition invoice ${esc(inv.document.number)}</h1>
<p>Please check the tuition expenses billed to ${esc(inv.document.customer)} for ${esc(inv.document.month)}, then approve or deny the invoice.
It is sent to you only after you approve it.</p>
<p class="note">You decide as ${esc(decidingAs)}, the approver ${esc(inv.document.customer)} named (this link was e-mailed to that address).</p>
${error ? `<div class="alert" role="alert">${esc(error)}</div>` : ''}
${summary(inv)}
${invoiceTable(inv)}
<form method="post" action="${action}" aria-labelledby="approve-heading">
<h2 id="approve-heading">Approve</h2>
<input type="hidden" name="decision" value="approved">
<input type="hidden" name="shownHash" value="${esc(inv.hash)}">
<p><button type="submit" class="approve">Approve invoice</button></p>
</form>
<form method="post" action="${action}" aria-labelledby="deny-heading">
<h2 id="deny-heading">Deny</h2>
<input type="hidden" name="decision" value="denied">
<input type="hidden" name="shownHash" value="${esc(inv.hash)}">
<label for="reason">Reason for denying (required)</label>
<textarea id="reason" name="reason" required maxlength="2000" aria-describedby="reason-help"></textarea>
<p id="reason-help" class="note">Say what is wrong, for example an employee who is not ours or an amount that is too high.</p>
<p><button type="submit" class="deny">Deny invoice</button></p>
</form>
<p class="note">This link works once and expires on ${esc(utcMinute(expiresAt))}.
Your decision applies to exactly this version, fingerprint <span class="hash">${esc(inv.hash)}</span>.</p>`,
  );
}

/** `deliverable`: a delivery target is set, so the approved invoice goes out now (else it waits for one). */
export function decisionPage(inv: StoredInvoice, deliverable: boolean): string {
  const approved = inv.state === 'approved' || inv.state === 'delivered';
  return layout(
    `Invoice ${inv.number} ${approved ? 'approved' : 'denied'}`,
    `<h1>Invoice ${esc(inv.number)} ${approved ? 'approved' : 'denied'}</h1>
<div class="ok" role="status">${
      approved
        ? `Thank you. You approved invoice ${esc(inv.number)} (version ${inv.version}, ${esc(displayAmount(inv.totalCents, inv.currency))} ${esc(inv.currency)}). ${
            deliverable
              ? 'It will be delivered to you now.'
              : 'It will be delivered to you as soon as our billing team has set up where your invoices go; you need not do anything more.'
          }`
        : `Thank you. You denied invoice ${esc(inv.number)}. Your reason was passed on: “${esc(inv.decision?.reason ?? '')}”. A corrected invoice will be sent to you.`
    }</div>
${summary(inv)}
${invoiceTable(inv)}`,
  );
}

const TITLES: Record<string, string> = {
  tampered: 'This link is not valid',
  expired: 'This link has expired',
  used: 'This link was already used',
  superseded: 'This invoice has changed',
  'not-awaiting': 'No decision is needed',
};

export function refusalPage(reason: string, message: string): string {
  const title = TITLES[reason] ?? 'This link cannot be used';
  return layout(title, `<h1>${esc(title)}</h1>\n<div class="alert" role="alert" data-reason="${esc(reason)}">${esc(message)}</div>\n${reason === 'used' ? '' : '<p class="note">Nothing was approved or denied with this link.</p>'}`);
}
