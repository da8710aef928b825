/**
 * Card networks and their chargeback reason-code families.
 * A code whose shape belongs to another family (a Mastercard 4837 on a Visa row) is blocking:
 * the network would reject the whole file. A code of the right shape that is not in our list is
 * only a warning, because networks add codes between our releases.
 */
export type Network = 'VISA' | 'MASTERCARD' | 'AMEX' | 'DISCOVER';
export const NETWORKS: readonly Network[] = ['VISA', 'MASTERCARD', 'AMEX', 'DISCOVER'];

const NETWORK_WORDS: Record<string, Network> = {
  VISA: 'VISA',
  MASTERCARD: 'MASTERCARD',
  'MASTER CARD': 'MASTERCARD',
  MC: 'MASTERCARD',
  AMEX: 'AMEX',
  'AMERICAN EXPRESS': 'AMEX',
  AX: 'AMEX',
  DISCOVER: 'DISCOVER',
  DISC: 'DISCOVER',
};

/** The network a cell names, or undefined ('Master Card', 'mc', 'American Express' accepted). */
export function readNetwork(value: string): Network | undefined {
  return NETWORK_WORDS[value.trim().toUpperCase().replace(/[\s_-]+/g, ' ')];
}

/** Visa Claims Resolution: 10 fraud, 11 authorisation, 12 processing errors, 13 consumer disputes. */
const VISA_CODES = new Set([
  ...[1, 2, 3, 4, 5].map((n) => `10.${n}`),
  ...[1, 2, 3].map((n) => `11.${n}`),
  ...[1, 2, 3, 4, 5, 6, 7].map((n) => `12.${n}`),
  // 12.6 Duplicate Processing / Paid by Other Means is filed with its sub-condition.
  '12.6.1',
  '12.6.2',
  ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => `13.${n}`),
]);
const MASTERCARD_CODES = new Set([
  '4807', '4808', '4812', '4831', '4834', '4837', '4840', '4841', '4842', '4846', '4849', '4850', '4853', '4854',
  '4855', '4859', '4860', '4863', '4870', '4871',
]);
const AMEX_CODES = new Set([
  'A01', 'A02', 'A08', 'C02', 'C04', 'C05', 'C08', 'C14', 'C18', 'C28', 'C31', 'C32', 'F10', 'F14', 'F24', 'F29',
  'FR2', 'FR4', 'FR6', 'M01', 'M10', 'M49', 'P01', 'P03', 'P04', 'P05', 'P07', 'P08', 'P22', 'P23', 'R03', 'R13',
]);
const DISCOVER_CODES = new Set([
  'AA', 'AP', 'AW', 'CA', 'CD', 'CR', 'DA', 'DP', 'EX', 'IC', 'IN', 'IS', 'LP', 'NA', 'NC', 'NF', 'PM', 'RG', 'RM',
  'RN2', 'TF', 'UA01', 'UA02', 'UA05', 'UA06', 'UA10', 'UA11', 'UA12', 'UA18', 'UA20', 'UA21', 'UA22', 'UA23',
]);

interface Family {
  shape: RegExp;
  known: ReadonlySet<string>;
  describe: string;
}

const FAMILIES: Record<Network, Family> = {
  // Visa's family is closed (10.1–13.9), so the shape is the list itself.
  VISA: { shape: /^1[0-3]\.\d(\.\d)?$/, known: VISA_CODES, describe: 'Visa codes are 10.1–10.5, 11.1–11.3, 12.1–12.7 (12.6.1, 12.6.2) or 13.1–13.9' },
  MASTERCARD: { shape: /^48\d\d$/, known: MASTERCARD_CODES, describe: 'Mastercard codes are four digits 48xx (e.g. 4837, 4853)' },
  AMEX: { shape: /^([ACFMPR]\d\d|FR\d)$/, known: AMEX_CODES, describe: 'American Express codes are a letter and two digits (e.g. A01, C02, F10, R03, M01)' },
  DISCOVER: { shape: /^([A-Z]{2}|RN2|UA\d\d)$/, known: DISCOVER_CODES, describe: 'Discover codes are two letters (e.g. AA, AP, AW, CD, DP, NF)' },
};

export type ReasonCheck = { ok: true; code: string; known: boolean } | { ok: false; reason: string };

/** Normalises and checks a reason code against its network's family. Excel may hand Visa codes as numbers (13.1). */
export function checkReasonCode(network: Network, raw: string | number): ReasonCheck {
  let code = typeof raw === 'number' ? String(raw) : raw.trim().toUpperCase();
  if (network === 'VISA' && /^1[0-3]$/.test(code)) code = `${code}.0`; // 13 typed for 13.0 – still reported below
  if (network === 'MASTERCARD' && /^48\d\d\.0+$/.test(code)) code = code.replace(/\.0+$/, '');
  const family = FAMILIES[network];
  if (!family.shape.test(code) || (network === 'VISA' && !family.known.has(code))) {
    return { ok: false, reason: `"${code}" is not a ${network} reason code; ${family.describe}.` };
  }
  return { ok: true, code, known: family.known.has(code) };
}
