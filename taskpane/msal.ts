/**
 * Sign-in with the organisation's identity provider through MSAL (@azure/msal-browser v5).
 *
 * - Inside Office with Microsoft Entra ID: nested app auth (createNestablePublicClientApplication),
 *   where Office signs the user in; it falls back to the browser flow where the host lacks it.
 * - In a plain browser, or with another OpenID Connect provider: a popup that returns to the
 *   server's /auth-redirect.html (MSAL v5's redirect bridge). A non-Microsoft provider needs
 *   protocolMode OIDC and its host in knownAuthorities, which the server tells us.
 * - Renewal is silent: acquireTokenSilent renews the access token (refresh token) before it
 *   expires; only when that fails does the user sign in again.
 * MSAL is loaded on demand, so the development sign-in never downloads it.
 */
import type { AccountInfo, Configuration, IPublicClientApplication } from '@azure/msal-browser';
import type { SignInSettings, TokenSource } from './auth';
import type { HostKind } from './host';

type MsalSettings = Extract<SignInSettings, { mode: 'msal' }>;

export interface MsalSignIn extends TokenSource {
  /** Interactive sign-in (popup, or Office's own with nested app auth); resolves to an access token. */
  signIn(): Promise<string>;
  /** A token without asking the user (an earlier sign-in in this browser), or null. */
  restore(): Promise<string | null>;
}

export async function createMsalSignIn(settings: MsalSettings, host: HostKind): Promise<MsalSignIn> {
  const msal = await import('@azure/msal-browser');
  const configuration: Configuration = {
    auth: {
      clientId: settings.clientId,
      authority: settings.authority,
      knownAuthorities: settings.knownAuthorities,
      redirectUri: new URL(settings.redirectPath, window.location.origin).href,
    },
    cache: { cacheLocation: msal.BrowserCacheLocation.LocalStorage },
    system: { protocolMode: settings.provider === 'oidc' ? msal.ProtocolMode.OIDC : msal.ProtocolMode.AAD },
  };
  const pca: IPublicClientApplication =
    host === 'excel' && settings.provider === 'entra'
      ? await msal.createNestablePublicClientApplication(configuration)
      : await msal.createStandardPublicClientApplication(configuration);
  const scopes = settings.scopes;
  // Entra offers an account picker; a generic provider takes "login" (show the sign-in page again after signing out).
  const prompt = settings.provider === 'entra' ? 'select_account' : 'login';

  const account = (): AccountInfo | null => pca.getActiveAccount() ?? pca.getAllAccounts()[0] ?? null;

  async function silent(): Promise<string | null> {
    const a = account();
    if (!a) return null;
    try {
      const r = await pca.acquireTokenSilent({ scopes, account: a });
      return r.accessToken || null;
    } catch (err) {
      if (err instanceof msal.InteractionRequiredAuthError) return null;
      throw err;
    }
  }

  return {
    async signIn() {
      const r = await pca.acquireTokenPopup({ scopes, prompt });
      if (r.account) pca.setActiveAccount(r.account);
      if (!r.accessToken) throw new Error('The identity provider signed you in but gave no token for CloseDesk.');
      return r.accessToken;
    },
    restore: silent,
    token: silent,
    async signOut() {
      const a = account();
      pca.setActiveAccount(null);
      // Forget the tokens on this computer; the next sign-in asks for the password again (prompt above).
      await pca.clearCache(a ? { account: a } : undefined);
    },
  };
}
