/**
 * Signed approval links: `<link id>.<HMAC>`; the HMAC (SHA-256, key derived from the master key
 * for this purpose only) covers the link id, the invoice, its version, the hash of that version's
 * document, the expiry and the address the link was e-mailed to, all kept in tuition_links. A changed
 * character, a link for another version, a forged id or a row pointed at another address fails the
 * comparison; expiry and single use are checked against the store. (Links issued before they were
 * e-mailed carry no address, and their MAC covers none.)
 */
import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

export interface LinkClaims {
  linkId: string;
  invoiceId: string;
  version: number;
  docHash: string;
  expiresAt: string;
  /** The address the link is e-mailed to (lower-cased); empty for links from before. */
  recipient?: string;
}

export function linkKey(masterKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.from('closedesk'), Buffer.from('tuition approval links v1'), 32));
}

function mac(key: Buffer, c: LinkClaims): Buffer {
  const fields = ['tuition-approval', c.linkId, c.invoiceId, String(c.version), c.docHash, c.expiresAt, ...(c.recipient ? [`to:${c.recipient}`] : [])];
  return createHmac('sha256', key).update(fields.join('\n')).digest();
}

export const newLinkId = () => randomBytes(18).toString('base64url');

export function signLink(key: Buffer, c: LinkClaims): string {
  return `${c.linkId}.${mac(key, c).toString('base64url')}`;
}

/** The link id of a well-formed token (nothing is trusted until verifyLink). */
export function linkIdOf(token: string): string | null {
  const m = /^([A-Za-z0-9_-]{24})\.([A-Za-z0-9_-]{43})$/.exec(token);
  return m ? m[1]! : null;
}

export function verifyLink(key: Buffer, token: string, c: LinkClaims): boolean {
  const m = /^([A-Za-z0-9_-]{24})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m || m[1] !== c.linkId) return false;
  // Compare the text, not the decoded bytes: the 43rd base64url character carries 2 unused bits, so
  // several spellings decode to the same MAC, and a link must have exactly one valid form.
  const given = Buffer.from(m[2]!, 'latin1');
  const expected = Buffer.from(mac(key, c).toString('base64url'), 'latin1');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
