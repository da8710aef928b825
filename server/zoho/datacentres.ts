/**
 * Zoho data centres: each has its own accounts (OAuth) server and API host; a refresh token only
 * works on the data centre that issued it (invalid_client elsewhere). Canada's accounts server is
 * accounts.zohocloud.ca, not accounts.zoho.ca.
 */
export const DATA_CENTRES = {
  com: { label: 'United States (zoho.com)', accounts: 'https://accounts.zoho.com', api: 'https://www.zohoapis.com/books/v3' },
  eu: { label: 'Europe (zoho.eu)', accounts: 'https://accounts.zoho.eu', api: 'https://www.zohoapis.eu/books/v3' },
  in: { label: 'India (zoho.in)', accounts: 'https://accounts.zoho.in', api: 'https://www.zohoapis.in/books/v3' },
  'com.au': { label: 'Australia (zoho.com.au)', accounts: 'https://accounts.zoho.com.au', api: 'https://www.zohoapis.com.au/books/v3' },
  jp: { label: 'Japan (zoho.jp)', accounts: 'https://accounts.zoho.jp', api: 'https://www.zohoapis.jp/books/v3' },
  ca: { label: 'Canada (zohocloud.ca)', accounts: 'https://accounts.zohocloud.ca', api: 'https://www.zohoapis.ca/books/v3' },
  'com.cn': { label: 'China (zoho.com.cn)', accounts: 'https://accounts.zoho.com.cn', api: 'https://www.zohoapis.com.cn/books/v3' },
  sa: { label: 'Saudi Arabia (zoho.sa)', accounts: 'https://accounts.zoho.sa', api: 'https://www.zohoapis.sa/books/v3' },
} as const;

export type DataCentre = keyof typeof DATA_CENTRES;

export function isDataCentre(s: string): s is DataCentre {
  return Object.prototype.hasOwnProperty.call(DATA_CENTRES, s);
}

export interface ZohoEndpoints {
  /** OAuth server, e.g. https://accounts.zoho.eu (the token endpoint is {accounts}/oauth/v2/token). */
  accounts: string;
  /** Books API base, e.g. https://www.zohoapis.eu/books/v3. */
  api: string;
}

/** The data centre's hosts, with either base overridden (the sandbox, a proxy). */
export function endpointsFor(dc: DataCentre, override: Partial<ZohoEndpoints> = {}): ZohoEndpoints {
  const d = DATA_CENTRES[dc];
  return { accounts: (override.accounts || d.accounts).replace(/\/+$/, ''), api: (override.api || d.api).replace(/\/+$/, '') };
}

/** The token response's api_domain (https://www.zohoapis.eu) → the Books base. */
export function apiBaseFromDomain(apiDomain: string): string {
  return `${apiDomain.replace(/\/+$/, '')}/books/v3`;
}
