/**
 * The sign-in panel: what the server's GET /api/auth/config asks for — the development issuer's
 * name-and-role form, or "Sign in with your work account" (MSAL: nested app auth in Office, a
 * popup in a plain browser). A provider session is restored silently when the pane opens again.
 */
import { useEffect, useRef, useState } from 'react';
import { Button, Field, Input, MessageBar, MessageBarBody, Select, Spinner, Text, makeStyles, tokens } from '@fluentui/react-components';
import type { ApiClient } from './api';
import { errorSentence } from './components/errors';
import { ROLES, getSession, primaryRole, setSession, type Role, type SignInSettings } from './auth';
import type { HostKind } from './host';
import type { MsalSignIn } from './msal';

const useStyles = makeStyles({
  signIn: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, maxWidth: '320px' },
});

/** Asks the server who the token belongs to and starts the session; a user without a CloseDesk role is told so. */
async function startProviderSession(api: ApiClient, msal: MsalSignIn, token: string): Promise<void> {
  const me = await api.whoAmI(token);
  const role = primaryRole(me.roles);
  const shown = me.username ?? me.name ?? me.id;
  if (!role) {
    await msal.signOut();
    throw new Error(`You are signed in as ${shown}, but you have no CloseDesk role. Ask an administrator for the preparer, approver or admin role.`);
  }
  setSession({ user: shown, ...(me.name ? { name: me.name } : {}), role, roles: me.roles, token, via: 'msal' }, msal);
}

function DevSignIn({ api }: { api: ApiClient }) {
  const styles = useStyles();
  const [user, setUser] = useState('');
  const [role, setRole] = useState<Role>('preparer');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    const name = user.trim();
    if (!name) {
      setError('Enter your user name to sign in.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const token = await api.signInWithDevIssuer(name, role);
      setSession({ user: name, role, roles: [role], token, via: 'dev' });
    } catch (err) {
      setError(errorSentence(err, "Signing in did not work; the details are in the browser's console."));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className={styles.signIn} onSubmit={(e) => void submit(e)} data-testid="sign-in">
      <Text>Sign in to use the CloseDesk server. This uses the server&apos;s development sign-in.</Text>
      <Field label="User name" required>
        <Input value={user} onChange={(_, d) => setUser(d.value)} name="user" autoComplete="username" />
      </Field>
      <Field label="Role">
        <Select value={role} onChange={(_, d) => setRole(d.value as Role)} name="role">
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </Select>
      </Field>
      {error && (
        <MessageBar intent="error">
          <MessageBarBody>{error}</MessageBarBody>
        </MessageBar>
      )}
      <div>
        <Button appearance="primary" type="submit" disabled={busy}>
          Sign in
        </Button>
      </div>
    </form>
  );
}

function ProviderSignIn({ api, settings, host }: { api: ApiClient; settings: Extract<SignInSettings, { mode: 'msal' }>; host: HostKind }) {
  const styles = useStyles();
  const msal = useRef<Promise<MsalSignIn> | null>(null);
  const [restoring, setRestoring] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const client = () => (msal.current ??= import('./msal').then((m) => m.createMsalSignIn(settings, host)));

  useEffect(() => {
    let live = true;
    void (async () => {
      try {
        const m = await client();
        const token = await m.restore();
        if (token && live && !getSession()) await startProviderSession(api, m, token);
      } catch {
        /* nothing to restore: the button below signs in */
      } finally {
        if (live) setRestoring(false);
      }
    })();
    return () => {
      live = false;
    };
    // Once per settings (the MSAL client is made for them); api and host do not change while mounted.
  }, [settings]);

  async function signIn() {
    setBusy(true);
    setError(null);
    try {
      const m = await client();
      await startProviderSession(api, m, await m.signIn());
    } catch (err) {
      const e = err as { errorCode?: string; message?: string };
      setError(
        e.errorCode === 'user_cancelled'
          ? 'Sign-in was cancelled.'
          : e.errorCode === 'popup_window_error' || e.errorCode === 'empty_window_error'
            ? 'The sign-in window could not open. Allow pop-ups for this site, then try again.'
            : errorSentence(err, "Sign-in did not complete; the details are in the browser's console."),
      );
    } finally {
      setBusy(false);
    }
  }

  if (restoring) return <Spinner size="small" label="Checking your sign-in…" />;
  return (
    <div className={styles.signIn} data-testid="sign-in">
      <Text>Sign in with your work account to use the CloseDesk server.</Text>
      {error && (
        <MessageBar intent="error">
          <MessageBarBody>{error}</MessageBarBody>
        </MessageBar>
      )}
      <div>
        <Button appearance="primary" onClick={() => void signIn()} disabled={busy}>
          Sign in with your work account
        </Button>
      </div>
    </div>
  );
}

export function SignIn({ api, host }: { api: ApiClient; host: HostKind }) {
  const [settings, setSettings] = useState<SignInSettings | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const ctl = new AbortController();
    api.signInSettings(ctl.signal).then(setSettings, (err: Error) => {
      if (!ctl.signal.aborted) setError(err.message);
    });
    return () => ctl.abort();
  }, [api]);

  if (error) {
    return (
      <MessageBar intent="error" data-testid="sign-in">
        <MessageBarBody>{error}</MessageBarBody>
      </MessageBar>
    );
  }
  if (!settings) return <Spinner size="small" label="Connecting to the CloseDesk server…" />;
  if (settings.mode === 'dev') return <DevSignIn api={api} />;
  if (settings.mode === 'unavailable') {
    return (
      <MessageBar intent="warning" data-testid="sign-in">
        <MessageBarBody>{settings.message}</MessageBarBody>
      </MessageBar>
    );
  }
  return <ProviderSignIn api={api} settings={settings} host={host} />;
}
