/** People as the development issuer signs them in (issuer + lower-cased name), for tests that use the store directly. */
import { DEV_ISSUER } from '../../server/config';
import { devSubject, identityKey, type Person, type User } from '../../src/approval';

export const devId = (name: string): string => identityKey({ issuer: DEV_ISSUER, subject: devSubject(name) });
export const person = (name: string): Person => ({ id: devId(name), name });
export const user = (name: string, roles: string[]): User => ({ ...person(name), roles });
export const approverUser = (name: string): User => user(name, ['approver']);
