/**
 * Optional OpenPGP encryption of a file with the partner's public key (binary OpenPGP message,
 * the usual `.pgp` convention of card-network and bank file gateways).
 */
import { DeliveryError } from './types';

export async function encryptForPartner(data: Buffer, armoredPublicKey: string, fileName: string): Promise<Buffer> {
  let openpgp: typeof import('openpgp');
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    openpgp = require('openpgp') as typeof import('openpgp');
  } catch {
    throw new DeliveryError('config', 'This partner wants OpenPGP-encrypted files but the openpgp package is not installed.');
  }
  let key;
  try {
    key = await openpgp.readKey({ armoredKey: armoredPublicKey });
  } catch (e) {
    throw new DeliveryError('config', `The partner's OpenPGP public key cannot be read: ${(e as Error).message}.`);
  }
  const message = await openpgp.createMessage({ binary: new Uint8Array(data), filename: fileName, format: 'binary' });
  const out = await openpgp.encrypt({ message, encryptionKeys: key, format: 'binary' });
  return Buffer.from(out as Uint8Array);
}
