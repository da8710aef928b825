/**
 * What the API shows of delivery settings, the same shape for the server that answers and the
 * pages that read it: partners (never a secret, only whether one is stored) and delivery targets
 * with their partner's name.
 */
import type { DeliveryTarget } from '../../src/delivery/targets';

export interface PartnerView {
  id: string;
  name: string;
  protocol: 'ftp' | 'ftps' | 'sftp';
  host: string;
  port: number;
  folder: string;
  username: string;
  auth: 'password' | 'key';
  hostFingerprint: string | null;
  tlsFingerprint: string | null;
  /** The partner's OpenPGP public key (armored) when files must be encrypted for them. */
  pgpPublicKey: string | null;
  /** Card networks (or other labels) this partner receives files for, e.g. ["VISA"]. */
  networks: string[];
  /** True when a password or private key is stored (its value is never returned). */
  hasSecret: boolean;
  version: number;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface TargetView extends DeliveryTarget {
  label: string;
  /** The partner's name, for the pages. */
  partnerName: string;
  version: number;
  updatedBy: string;
  updatedAt: string;
}
