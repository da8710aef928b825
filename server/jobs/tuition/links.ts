/**
 * Signed approval links: `<link id>.<HMAC>`; the HMAC (SHA-256, key derived from the master key
 * for this purpose only) covers the link id, the invoice, its version, the hash of that version's
 * document and the expiry, all kept in tuition_links. A changed character, a link for another
 * version, or a forged id fails the comparison; expiry and single use are checked against the store.
 */
import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

export interface LinkClaims {
  linkId: string;
  invoiceId: string;
  version: number;
  docHash: string;
  expiresAt: string;
}

export function linkKey(masterKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.from('closedesk'), Buffer.from('tuition approval links v1'), 32));
}

function mac(key: Buffer, c: LinkClaims): Buffer {
  return createHmac('sha256', key).update(['tuition-approval', c.linkId, c.invoiceId, String(c.version), c.docHash, c.expiresAt].join('\n')).digest();
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
