/**
 * Connections: connect a Zoho Books organisation (data centre, client id and secret from the Zoho
 * API console, a one-time grant code → a refresh token stored encrypted on the server), list the
 * connections, test one, remove one. Secrets are sent once and never shown back. With `npm start`
 * the local Zoho sandbox is offered, and it accepts any grant code.
 */
import { useCallback, useEffect, useState } from 'react';
import {
  Badge,
  Button,
  Caption1,
  Dropdown,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Option,
  Subtitle2,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { Delete20Regular, PlugConnected20Regular, CheckmarkCircle20Regular } from '@fluentui/react-icons';
import { errorSentence } from '../../components';
import { useShell } from '../../shell';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  list: { listStyleType: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  item: {
    padding: tokens.spacingVerticalS,
    backgroundColor: tokens.colorNeutralBackground2,
    borderRadius: tokens.borderRadiusMedium,
    display: 'flex',
    flexDirection: 'column',
    gap: '4px',
    overflowWrap: 'anywhere',
  },
  row: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'center', flexWrap: 'wrap' },
});

interface DataCentre {
  code: string;
  label: string;
  accounts: string;
}

interface Connection {
  id: string;
  name: string;
  dataCentre: string;
  dataCentreLabel: string;
  organizationId: string;
  organizationName: string;
  clientId: string;
  sandbox: boolean;
  createdBy: string;
  createdAt: string;
  lastTestAt: string | null;
  lastTestResult: string | null;
}

const SANDBOX = 'local-sandbox';

export default function ConnectionsPage() {
  const styles = useStyles();
  const { api, session } = useShell();
  const isAdmin = session?.role === 'admin';
  const [dataCentres, setDataCentres] = useState<DataCentre[]>([]);
  const [sandboxUrl, setSandboxUrl] = useState<string | null>(null);
  const [connections, setConnections] = useState<Connection[] | null>(null);
  const [form, setForm] = useState({ name: '', dataCentre: 'com', clientId: '', clientSecret: '', grantCode: '', organizationId: '' });
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [tests, setTests] = useState<Record<string, { ok: boolean; message: string }>>({});

  const load = useCallback(async () => {
    const [dc, list] = await Promise.all([
      api.request<{ dataCentres: DataCentre[]; localSandbox: string | null }>('/api/zoho/data-centres'),
      api.request<{ connections: Connection[] }>('/api/zoho/connections'),
    ]);
    setDataCentres(dc.dataCentres);
    setSandboxUrl(dc.localSandbox);
    setConnections(list.connections);
    // First connection with `npm start`: offer the sandbox filled in (it accepts any grant code).
    if (dc.localSandbox && list.connections.length === 0) {
      setForm((f) => (f.clientId || f.name ? f : { ...f, dataCentre: SANDBOX, name: 'Demo books (sandbox)', clientId: '1000.DEMO', clientSecret: 'sandbox-client-secret', grantCode: `1000.demo.${Date.now()}` }));
    }
  }, [api]);

  useEffect(() => {
    load().catch((e: unknown) => setError(errorSentence(e, 'The connections could not be listed; the details are in the browser\'s console.')));
  }, [load]);

  const run = async (label: string, fn: () => Promise<void>) => {
    setBusy(label);
    setError(null);
    setNotice(null);
    try {
      await fn();
    } catch (e) {
      setError(errorSentence(e, 'That did not work; the details are in the browser\'s console.'));
    } finally {
      setBusy(null);
    }
  };

  const connect = () =>
    run('connect', async () => {
      const sandbox = form.dataCentre === SANDBOX;
      const r = await api.request<{ connection: Connection }>('/api/zoho/connections', {
        method: 'POST',
        body: {
          name: form.name,
          dataCentre: sandbox ? 'com' : form.dataCentre,
          clientId: form.clientId,
          clientSecret: form.clientSecret,
          grantCode: form.grantCode,
          ...(form.organizationId.trim() ? { organizationId: form.organizationId.trim() } : {}),
          ...(sandbox ? { useLocalSandbox: true } : {}),
        },
      });
      // The secret and the grant code are gone from the page once sent.
      setForm({ name: '', dataCentre: form.dataCentre === SANDBOX ? 'com' : form.dataCentre, clientId: '', clientSecret: '', grantCode: '', organizationId: '' });
      setNotice(`Connected "${r.connection.name}" to ${r.connection.organizationName} (${r.connection.organizationId}).`);
      await load();
    });

  const test = (c: Connection) =>
    run(`test:${c.id}`, async () => {
      const r = await api.request<{ ok: boolean; message: string }>(`/api/zoho/connections/${encodeURIComponent(c.id)}/test`, { method: 'POST', body: {} });
      setTests((t) => ({ ...t, [c.id]: r }));
    });

  const remove = (c: Connection) =>
    run(`remove:${c.id}`, async () => {
      await api.request(`/api/zoho/connections/${encodeURIComponent(c.id)}`, { method: 'DELETE' });
      setNotice(`Removed "${c.name}". Its stored credentials were deleted.`);
      await load();
    });

  const set = (k: keyof typeof form) => (_: unknown, d: { value: string }) => setForm((f) => ({ ...f, [k]: d.value }));
  const dcOptions = [...(sandboxUrl ? [{ code: SANDBOX, label: `Local Zoho sandbox (${sandboxUrl})` }] : []), ...dataCentres];
  const ready = form.name.trim() && form.clientId.trim() && form.clientSecret.trim() && form.grantCode.trim() && busy === null;

  return (
    <div className={styles.root} data-testid="connections-page">
      <Subtitle2 as="h2">Zoho Books connections</Subtitle2>
      {connections === null ? (
        <Caption1>Loading…</Caption1>
      ) : connections.length === 0 ? (
        <Caption1>No organisation is connected yet.</Caption1>
      ) : (
        <ul className={styles.list} data-testid="connections-list">
          {connections.map((c) => (
            <li key={c.id} className={styles.item}>
              <div className={styles.row}>
                <Text weight="semibold">{c.name}</Text>
                {c.sandbox && (
                  <Badge appearance="tint" color="informative" size="small">
                    sandbox
                  </Badge>
                )}
              </div>
              <Caption1>
                {c.organizationName} ({c.organizationId}) · {c.dataCentreLabel} · client {c.clientId} · added by {c.createdBy}
              </Caption1>
              {(tests[c.id] || c.lastTestResult) && (
                <Caption1 data-testid="connection-test-result">{tests[c.id]?.message ?? `Last test ${c.lastTestAt}: ${c.lastTestResult}`}</Caption1>
              )}
              <div className={styles.row}>
                <Button size="small" icon={<CheckmarkCircle20Regular />} disabled={busy !== null} onClick={() => test(c)}>
                  Test
                </Button>
                {isAdmin && (
                  <Button size="small" icon={<Delete20Regular />} disabled={busy !== null} onClick={() => remove(c)}>
                    Remove
                  </Button>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}

      <Subtitle2 as="h2">Connect an organisation</Subtitle2>
      {!isAdmin ? (
        <Caption1>Only an administrator connects organisations (the credentials are stored encrypted on the server).</Caption1>
      ) : (
        <div className={styles.form}>
          <Caption1>
            In the Zoho API console create a self client, then generate a grant code with the scope ZohoBooks.fullaccess.all (access type offline). Paste it
            here within a few minutes: it works once.
          </Caption1>
          <Field label="Name" required>
            <Input value={form.name} onChange={set('name')} placeholder="US books" />
          </Field>
          <Field label="Data centre" required hint={form.dataCentre === SANDBOX ? 'The sandbox accepts any grant code.' : undefined}>
            <Dropdown
              value={dcOptions.find((d) => d.code === form.dataCentre)?.label ?? ''}
              selectedOptions={[form.dataCentre]}
              onOptionSelect={(_, d) => setForm((f) => ({ ...f, dataCentre: d.optionValue ?? 'com' }))}
              data-testid="connection-dc"
            >
              {dcOptions.map((d) => (
                <Option key={d.code} value={d.code}>
                  {d.label}
                </Option>
              ))}
            </Dropdown>
          </Field>
          <Field label="Client id" required>
            <Input value={form.clientId} onChange={set('clientId')} autoComplete="off" />
          </Field>
          <Field label="Client secret" required hint="Stored encrypted; never shown again.">
            <Input type="password" value={form.clientSecret} onChange={set('clientSecret')} autoComplete="new-password" />
          </Field>
          <Field label="Grant code" required>
            <Input type="password" value={form.grantCode} onChange={set('grantCode')} autoComplete="off" />
          </Field>
          <Field label="Organisation id" hint="Only when this Zoho user has several organisations.">
            <Input value={form.organizationId} onChange={set('organizationId')} inputMode="numeric" />
          </Field>
          <div>
            <Button appearance="primary" icon={<PlugConnected20Regular />} disabled={!ready} onClick={connect}>
              Connect
            </Button>
          </div>
        </div>
      )}
      {notice && (
        <MessageBar intent="success">
          <MessageBarBody>{notice}</MessageBarBody>
        </MessageBar>
      )}
      {error && (
        <MessageBar intent="error">
          <MessageBarBody>{error}</MessageBarBody>
        </MessageBar>
      )}
    </div>
  );
}
