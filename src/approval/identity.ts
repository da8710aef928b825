/**
 * Who someone is: the identity provider that signed them in (issuer) and the id it gives them
 * (subject) — for Microsoft Entra ID the `oid` claim, the account's object id, which stays the same
 * across apps and name changes; otherwise `sub`. A display name is never an identity: two people
 * can share one, and one person can be spelled "Alice" and "alice".
 *
 * The identity key is the one string stored for preparers, approvers and actors, and the only thing
 * maker-checker compares: `<issuer>#<subject>`. OpenID issuers carry no fragment, so '#' separates;
 * an issuer that contains '#' or '%' anyway is percent-escaped so every key reads back one way.
 */

export interface Identity {
  readonly issuer: string;
  readonly subject: string;
}

/** `<issuer>#<subject>` — compare keys, never names. */
export type IdentityKey = string;

/** Someone recorded on a batch or invoice: the identity key plus the name to show. */
export interface Person {
  readonly id: IdentityKey;
  readonly name: string;
}

/**
 * Preparers and approvers recorded before identities existed carry only a name. They become
 * `urn:closedesk:legacy-name#<name as recorded>`; see `samePerson` for how they are compared.
 */
export const LEGACY_NAME_ISSUER = 'urn:closedesk:legacy-name';

/** CloseDesk's own processes (delivery after a customer's approval, start-up resume). */
export const SYSTEM_ISSUER = 'urn:closedesk:system';

const escapeIssuer = (issuer: string) => issuer.replace(/%/g, '%25').replace(/#/g, '%23');
const unescapeIssuer = (issuer: string) => issuer.replace(/%23/g, '#').replace(/%25/g, '%');

export function identityKey(identity: Identity): IdentityKey {
  return `${escapeIssuer(identity.issuer)}#${identity.subject}`;
}

/** The identity a key names; undefined for text that is not a key (e.g. a bare name). */
export function parseIdentityKey(key: string): Identity | undefined {
  const at = key.indexOf('#');
  if (at <= 0 || at === key.length - 1) return undefined;
  return { issuer: unescapeIssuer(key.slice(0, at)), subject: key.slice(at + 1) };
}

export function isIdentityKey(key: string): boolean {
  return parseIdentityKey(key) !== undefined;
}

/** A person recorded by name only, before identities (see LEGACY_NAME_ISSUER). */
export function legacyPerson(name: string): Person {
  return { id: identityKey({ issuer: LEGACY_NAME_ISSUER, subject: name }), name };
}

/** A stored preparer or approver: an identity key with its name, or — rows from before identities — a bare name. */
export function recordedPerson(id: string, name: string | null | undefined): Person {
  return isIdentityKey(id) ? { id, name: name ?? id } : legacyPerson(name ?? id);
}

/** One of CloseDesk's own processes as an actor, e.g. systemPerson('tuition-delivery'). */
export function systemPerson(name: string): Person {
  return { id: identityKey({ issuer: SYSTEM_ISSUER, subject: name }), name: `CloseDesk (${name})` };
}

/**
 * The development issuer's subject for a user name: lower-cased, so "Alice" and "alice" are one
 * person there (the development sign-in only knows names; a real provider gives each account its own id).
 */
export function devSubject(userName: string): string {
  return userName.trim().toLowerCase();
}

export type ClaimsIdentity =
  | { ok: true; identity: Identity; key: IdentityKey; name: string; username?: string }
  | { ok: false; reason: string };

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);

/**
 * The identity in a verified token's claims: `iss` plus `oid` when present (Entra ID), else `sub`.
 * The display name is `name`, else the user name (`preferred_username`, `email`, `upn`), else the subject.
 */
export function identityFromClaims(claims: Readonly<Record<string, unknown>>): ClaimsIdentity {
  const issuer = text(claims.iss);
  if (!issuer) return { ok: false, reason: 'The sign-in token does not say which identity provider issued it (no iss claim); sign in again.' };
  const subject = text(claims.oid) ?? text(claims.sub);
  if (!subject) return { ok: false, reason: 'The sign-in token does not say who you are (no oid or sub claim); sign in again.' };
  const identity = { issuer, subject };
  const username = text(claims.preferred_username) ?? text(claims.email) ?? text(claims.upn);
  return { ok: true, identity, key: identityKey(identity), name: text(claims.name) ?? username ?? subject, ...(username ? { username } : {}) };
}

/** Someone whose other names are known (display name, user name), for comparing with legacy records. */
export interface KnownPerson extends Person {
  readonly names?: readonly string[];
}

const namesOf = (p: KnownPerson) => new Set([p.name, ...(p.names ?? [])].map((n) => n.trim().toLowerCase()).filter((n) => n !== ''));

function legacyName(p: Person): string | undefined {
  const id = parseIdentityKey(p.id);
  return id?.issuer === LEGACY_NAME_ISSUER ? id.subject.trim().toLowerCase() : undefined;
}

/**
 * True when a and b are the same person: the same identity key. A legacy record (a name only) is
 * the same person as anyone known by that name in any spelling or case — it can only refuse more,
 * never let someone through, because it is used to keep people from approving their own work.
 */
export function samePerson(a: KnownPerson, b: KnownPerson): boolean {
  if (a.id === b.id) return true;
  const la = legacyName(a);
  const lb = legacyName(b);
  return (la !== undefined && namesOf(b).has(la)) || (lb !== undefined && namesOf(a).has(lb));
}
