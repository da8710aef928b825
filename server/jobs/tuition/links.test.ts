import { randomBytes } from 'node:crypto';
import { newLinkId, signLink, verifyLink } from './links';

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

describe('approval link signatures', () => {
  const key = randomBytes(32);
  const claims = () => ({ linkId: newLinkId(), invoiceId: 'inv-1', version: 2, docHash: 'a'.repeat(64), expiresAt: '2026-12-01T00:00:00Z' });

  it('accepts the link it signed and nothing else, including other spellings of the same MAC', () => {
    for (let i = 0; i < 50; i++) {
      const c = claims();
      const token = signLink(key, c);
      expect(verifyLink(key, token, c)).toBe(true);
      // Every other last character, including those whose 2 spare bits decode to the same bytes.
      for (const ch of B64URL) {
        if (ch === token.at(-1)) continue;
        expect(verifyLink(key, token.slice(0, -1) + ch, c)).toBe(false);
      }
    }
  });

  it('refuses a link for another version, invoice or expiry, and one signed with another key', () => {
    const c = claims();
    const token = signLink(key, c);
    expect(verifyLink(key, token, { ...c, version: 3 })).toBe(false);
    expect(verifyLink(key, token, { ...c, invoiceId: 'inv-2' })).toBe(false);
    expect(verifyLink(key, token, { ...c, expiresAt: '2027-01-01T00:00:00Z' })).toBe(false);
    expect(verifyLink(randomBytes(32), token, c)).toBe(false);
  });

  it('a link e-mailed to one address does not verify for another (a row pointed elsewhere is refused)', () => {
    const c = { ...claims(), recipient: 'ap@northwind.test' };
    const token = signLink(key, c);
    expect(verifyLink(key, token, c)).toBe(true);
    expect(verifyLink(key, token, { ...c, recipient: 'mallory@northwind.test' })).toBe(false);
    expect(verifyLink(key, token, { ...c, recipient: undefined })).toBe(false);
  });
});
