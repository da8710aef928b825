import {
  devSubject,
  identityFromClaims,
  identityKey,
  isIdentityKey,
  legacyPerson,
  parseIdentityKey,
  recordedPerson,
  samePerson,
  systemPerson,
  type Person,
} from './identity';
import { holdsApprovingRole, mayApprove, preparersOf, type ApprovalSubject, type User } from './rule';

const DEV = 'urn:closedesk:dev-issuer';
const ENTRA = 'https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0';
const dev = (name: string, roles: string[] = []): User => ({ id: identityKey({ issuer: DEV, subject: devSubject(name) }), name, roles });
const p = (u: User): Person => ({ id: u.id, name: u.name });

describe('identity', () => {
  it('is issuer + subject; the key reads back exactly, whatever the issuer holds', () => {
    expect(identityKey({ issuer: ENTRA, subject: '00000000-0000-0000-0000-00000000a11c' })).toBe(`${ENTRA}#00000000-0000-0000-0000-00000000a11c`);
    for (const issuer of [DEV, ENTRA, 'odd#issuer%23', '%', '#']) {
      for (const subject of ['alice', 'a#b', '%23', ' spaced ']) {
        expect(parseIdentityKey(identityKey({ issuer, subject }))).toEqual({ issuer, subject });
      }
    }
    // two different identities never share a key, even when their parts contain the separator
    expect(identityKey({ issuer: 'a#b', subject: 'c' })).not.toBe(identityKey({ issuer: 'a', subject: 'b#c' }));
  });

  it('a bare name is not a key', () => {
    for (const text of ['alice', '', '#alice', 'issuer#']) expect([text, isIdentityKey(text)]).toEqual([text, false]);
    expect(isIdentityKey(`${DEV}#alice`)).toBe(true);
  });

  it('comes from the oid claim when present (Entra ID), else sub; the name is for display only', () => {
    expect(identityFromClaims({ iss: ENTRA, sub: 'pairwise-sub', oid: 'object-id', name: 'Alice Smith', preferred_username: 'alice@contoso.com' })).toEqual({
      ok: true,
      identity: { issuer: ENTRA, subject: 'object-id' },
      key: `${ENTRA}#object-id`,
      name: 'Alice Smith',
      username: 'alice@contoso.com',
    });
    expect(identityFromClaims({ iss: DEV, sub: 'alice', preferred_username: 'Alice' })).toMatchObject({ ok: true, key: `${DEV}#alice`, name: 'Alice', username: 'Alice' });
    expect(identityFromClaims({ iss: DEV, sub: 'bob', email: 'bob@x.test' })).toMatchObject({ name: 'bob@x.test', username: 'bob@x.test' });
    expect(identityFromClaims({ iss: DEV, sub: 'u1' })).toEqual({ ok: true, identity: { issuer: DEV, subject: 'u1' }, key: `${DEV}#u1`, name: 'u1' });
    expect(identityFromClaims({ iss: DEV, sub: '', oid: ' ', preferred_username: 'eve' })).toMatchObject({ ok: false, reason: expect.stringContaining('who you are') });
    expect(identityFromClaims({ sub: 'eve' })).toMatchObject({ ok: false, reason: expect.stringContaining('identity provider') });
    expect(identityFromClaims({ iss: 42, sub: 'eve' })).toMatchObject({ ok: false });
  });

  it('the development issuer lower-cases names, so one person has one identity there', () => {
    expect(devSubject('  Alice ')).toBe('alice');
    expect(dev('Alice').id).toBe(dev('alice').id);
    expect(dev('alice').id).not.toBe(dev('alicia').id);
  });

  it('the same subject at another issuer is another person; subjects compare exactly', () => {
    const here = { id: identityKey({ issuer: ENTRA, subject: 'abc' }), name: 'Alice' };
    const there = { id: identityKey({ issuer: 'https://other.example', subject: 'abc' }), name: 'Alice' };
    const upper = { id: identityKey({ issuer: ENTRA, subject: 'ABC' }), name: 'Alice' };
    expect(samePerson(here, there)).toBe(false);
    expect(samePerson(here, upper)).toBe(false);
    // sharing a display name does not make two identities one person
    expect(samePerson(here, { ...here, name: 'Someone else' })).toBe(true);
  });

  it('a record from before identities matches anyone known by that name, in any case', () => {
    const old = legacyPerson('Alice');
    expect(old.id).toBe('urn:closedesk:legacy-name#Alice');
    expect(old.name).toBe('Alice');
    expect(samePerson(old, dev('alice'))).toBe(true);
    expect(samePerson(dev('ALICE'), old)).toBe(true);
    expect(samePerson(old, { id: `${ENTRA}#x`, name: 'Alice Smith', names: ['alice'] })).toBe(true);
    expect(samePerson(old, { id: `${ENTRA}#x`, name: 'Alice Smith' })).toBe(false);
    expect(samePerson(old, legacyPerson('ALICE'))).toBe(true);
    expect(samePerson(old, legacyPerson('bob'))).toBe(false);
  });

  it('reads a stored person: an identity key with its name, or a bare name from before identities', () => {
    expect(recordedPerson(`${DEV}#alice`, 'Alice')).toEqual({ id: `${DEV}#alice`, name: 'Alice' });
    expect(recordedPerson(`${DEV}#alice`, null)).toEqual({ id: `${DEV}#alice`, name: `${DEV}#alice` });
    expect(recordedPerson('alice', null)).toEqual(legacyPerson('alice'));
    expect(recordedPerson('urn:closedesk:legacy-name#Bob', 'Bob')).toEqual(legacyPerson('Bob'));
  });

  it('CloseDesk processes have their own identities', () => {
    expect(systemPerson('tuition-delivery')).toEqual({ id: 'urn:closedesk:system#tuition-delivery', name: 'CloseDesk (tuition-delivery)' });
    expect(samePerson(systemPerson('tuition-delivery'), dev('tuition-delivery'))).toBe(false);
  });
});

describe('the approval rule', () => {
  const alice = dev('alice', ['preparer']);
  const dave = dev('dave', ['preparer']);
  const subject: ApprovalSubject = {
    label: 'batch bat_1',
    preparedBy: p(alice),
    items: [
      { label: 'VISA.csv', preparedBy: [p(alice)] },
      { label: 'AMEX.csv', preparedBy: [p(dave)] },
    ],
  };

  it('lets an approver or an administrator who prepared nothing in it approve and reject', () => {
    for (const roles of [['approver'], ['admin'], ['approver', 'admin'], ['preparer', 'approver']]) {
      expect([roles, mayApprove(subject, dev('bob', roles))]).toEqual([roles, { ok: true }]);
      expect([roles, mayApprove(subject, dev('bob', roles), 'reject')]).toEqual([roles, { ok: true }]);
    }
  });

  it('refuses the preparer whatever her roles: approver, administrator, a role pair, another spelling', () => {
    for (const who of [dev('alice', ['approver']), dev('alice', ['admin']), dev('alice', ['preparer', 'approver']), dev('Alice', ['approver']), dev('ALICE', ['admin'])]) {
      expect([who.name, who.roles, mayApprove(subject, who)]).toEqual([
        who.name,
        who.roles,
        { ok: false, code: 'maker-checker', reason: 'You prepared batch bat_1, so someone else must approve it.' },
      ]);
    }
    expect(mayApprove(subject, dev('alice', ['approver']), 'reject')).toMatchObject({ reason: 'You prepared batch bat_1, so someone else must reject it.' });
    // without the approver role she still hears the reason that matters: it is her own work
    expect(mayApprove(subject, dev('alice', ['preparer']))).toMatchObject({ code: 'maker-checker' });
  });

  it('refuses whoever prepared a single item of it', () => {
    expect(mayApprove(subject, dev('dave', ['approver', 'admin']))).toEqual({
      ok: false,
      code: 'maker-checker',
      reason: 'You prepared AMEX.csv in batch bat_1, so someone else must approve it.',
    });
    expect(mayApprove({ preparedBy: p(alice), items: [{ preparedBy: [p(dave)] }] }, dev('dave', ['approver']))).toMatchObject({
      reason: 'You prepared part of it, so someone else must approve.',
    });
    expect(mayApprove({ preparedBy: p(alice) }, dev('alice', ['approver']))).toMatchObject({ reason: 'You prepared it, so someone else must approve.' });
  });

  it('compares identities, not names: a namesake at another identity provider may approve', () => {
    const namesake: User = { id: identityKey({ issuer: ENTRA, subject: 'other' }), name: 'alice', roles: ['approver'] };
    expect(mayApprove(subject, namesake)).toEqual({ ok: true });
  });

  it('treats a preparer recorded by name only as anyone known by that name', () => {
    const old: ApprovalSubject = { label: 'batch bat_0', preparedBy: legacyPerson('Alice') };
    expect(mayApprove(old, dev('alice', ['approver']))).toMatchObject({ ok: false, code: 'maker-checker' });
    expect(mayApprove(old, { id: `${ENTRA}#x`, name: 'Alice S.', names: ['ALICE'], roles: ['approver'] })).toMatchObject({ ok: false, code: 'maker-checker' });
    expect(mayApprove(old, dev('bob', ['approver']))).toEqual({ ok: true });
  });

  it('needs the approver role (or admin) and a signed-in user', () => {
    expect(mayApprove(subject, dev('carol', ['preparer']))).toEqual({
      ok: false,
      code: 'wrong-role',
      reason: 'To approve you need the approver role; you are signed in as carol with the preparer role. Ask an administrator for access.',
    });
    expect(mayApprove(subject, dev('carol', []))).toMatchObject({ code: 'wrong-role', reason: expect.stringContaining('with no CloseDesk role') });
    expect(mayApprove(subject, dev('carol', ['preparer', 'viewer']))).toMatchObject({ reason: expect.stringContaining('the preparer, viewer roles') });
    expect(mayApprove(subject, null)).toEqual({ ok: false, code: 'not-signed-in', reason: 'Sign in first: only a signed-in approver can approve.' });
    expect(mayApprove(subject, undefined, 'reject')).toMatchObject({ code: 'not-signed-in', reason: expect.stringContaining('can reject') });
    expect(holdsApprovingRole({ roles: ['admin'] })).toBe(true);
    expect(holdsApprovingRole({ roles: ['preparer'] })).toBe(false);
  });

  it('lists each preparer once', () => {
    expect(preparersOf(subject).map((x) => x.name)).toEqual(['alice', 'dave']);
    expect(preparersOf({ preparedBy: p(dave) }).map((x) => x.name)).toEqual(['dave']);
  });
});
