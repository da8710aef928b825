/**
 * One partner's settings: where (protocol, host, port, folder), who (user and password or SFTP
 * private key, sent once and never shown back), and the server's key or certificate pinned after
 * reading it from the server and comparing it with what the partner gave.
 */
import { useState } from 'react';
import { Button, Caption1, Field, Input, Subtitle2, Textarea } from '@fluentui/react-components';
import { PlugConnected20Regular, Save20Regular } from '@fluentui/react-icons';
import { PaneSelect, RunStatus, useJobRun } from '../../components';
import { useShell } from '../../shell';
import { DEFAULT_PORTS, emptyPartnerForm, partnerFormProblem, partnerToForm, probeServer, savePartner, type Partner, type PartnerForm as Form, type Protocol } from './settings-api';
import { useSettingsStyles } from './styles';

const PROTOCOLS: { value: Protocol; label: string }[] = [
  { value: 'sftp', label: 'SFTP (SSH, host key pinned)' },
  { value: 'ftps', label: 'FTPS (FTP over TLS)' },
  { value: 'ftp', label: 'FTP (unencrypted)' },
];

export function PartnerForm({ existing, onSaved, onCancel }: { existing?: Partner; onSaved: (p: Partner) => void; onCancel: () => void }) {
  const styles = useSettingsStyles();
  const { api } = useShell();
  const [form, setForm] = useState<Form>(() => (existing ? partnerToForm(existing) : emptyPartnerForm()));
  const [presented, setPresented] = useState<string | null>(null);
  const run = useJobRun<null>('The partner', async () => null);
  const set = (k: keyof Form) => (_: unknown, d: { value: string }) => setForm((f) => ({ ...f, [k]: d.value }));
  const problem = partnerFormProblem(form, existing);
  const pinField = form.protocol === 'sftp' ? 'hostFingerprint' : 'tlsFingerprint';

  async function readKey() {
    setPresented(null);
    const port = Number(form.port.trim() || DEFAULT_PORTS[form.protocol]);
    const sameServer = existing && existing.host === form.host.trim() && existing.port === port && existing.protocol === form.protocol;
    const r = await run.act(() => probeServer(api, sameServer ? existing : { protocol: form.protocol, host: form.host.trim(), port }));
    if (r) setPresented(r.presented);
  }

  async function save() {
    const p = await run.act(() => savePartner(api, form, existing));
    if (p) onSaved(p);
  }

  return (
    <div className={styles.form} data-testid="partner-form">
      <Subtitle2 as="h3">{existing ? `Change ${existing.name}` : 'New delivery partner'}</Subtitle2>
      <Field label="Name" required>
        <Input value={form.name} onChange={set('name')} placeholder="Visa acquirer SFTP" data-testid="partner-name" />
      </Field>
      <Field label="Protocol">
        <PaneSelect value={form.protocol} onChange={(_, d) => setForm((f) => ({ ...f, protocol: d.value as Protocol }))} options={PROTOCOLS} data-testid="partner-protocol" />
      </Field>
      <Field label="Host" required>
        <Input value={form.host} onChange={set('host')} placeholder="sftp.partner.example" data-testid="partner-host" />
      </Field>
      <Field label="Port" hint={`Empty: ${DEFAULT_PORTS[form.protocol]}.`}>
        <Input value={form.port} onChange={set('port')} inputMode="numeric" data-testid="partner-port" />
      </Field>
      <Field label="Folder" hint="Where files go on the server; empty: the folder you sign in to.">
        <Input value={form.folder} onChange={set('folder')} placeholder="/inbox" data-testid="partner-folder" />
      </Field>
      <Field label="User name" required>
        <Input value={form.username} onChange={set('username')} autoComplete="off" data-testid="partner-user" />
      </Field>
      {form.protocol === 'sftp' && (
        <Field label="Sign in with">
          <PaneSelect
            value={form.auth}
            onChange={(_, d) => setForm((f) => ({ ...f, auth: d.value as Form['auth'] }))}
            options={[
              { value: 'password', label: 'A password' },
              { value: 'key', label: 'A private key' },
            ]}
          />
        </Field>
      )}
      {form.protocol === 'sftp' && form.auth === 'key' ? (
        <>
          <Field label="Private key" hint={existing?.hasSecret && existing.auth === 'key' ? 'A key is stored; paste a new one to replace it.' : 'Stored encrypted; never shown again.'}>
            <Textarea value={form.privateKey} onChange={set('privateKey')} resize="vertical" placeholder="-----BEGIN OPENSSH PRIVATE KEY-----" />
          </Field>
          <Field label="Key passphrase" hint="Only when the key has one.">
            <Input type="password" value={form.passphrase} onChange={set('passphrase')} autoComplete="new-password" />
          </Field>
        </>
      ) : (
        <Field label="Password" hint={existing?.hasSecret && existing.auth === 'password' ? 'A password is stored; type a new one to replace it.' : 'Stored encrypted; never shown again.'}>
          <Input type="password" value={form.password} onChange={set('password')} autoComplete="new-password" data-testid="partner-password" />
        </Field>
      )}
      {form.protocol !== 'ftp' && (
        <>
          <Field
            label={form.protocol === 'sftp' ? 'Host key fingerprint' : 'Certificate fingerprint (optional)'}
            hint={form.protocol === 'sftp' ? 'SHA256:… as ssh-keygen -lf prints it. CloseDesk refuses any other key.' : 'sha256 hex; empty: the certificate must be publicly trusted.'}
          >
            <Input value={form[pinField]} onChange={set(pinField)} className={styles.mono} data-testid="partner-pin" />
          </Field>
          <div className={styles.row}>
            <Button icon={<PlugConnected20Regular />} disabled={!form.host.trim() || run.running} onClick={() => void readKey()} data-testid="partner-read-key">
              Read it from the server
            </Button>
          </div>
          {presented !== null && (
            <div className={styles.card} data-testid="partner-presented">
              <Caption1 className={styles.mono}>{presented || 'The server presented nothing to pin.'}</Caption1>
              {presented && (
                <>
                  <Caption1 className={styles.text}>Compare it with the fingerprint the partner gave you before you pin it: a different one means another server answers.</Caption1>
                  <div>
                    <Button size="small" onClick={() => setForm((f) => ({ ...f, [pinField]: presented }))} data-testid="partner-pin-presented">
                      Pin this one
                    </Button>
                  </div>
                </>
              )}
            </div>
          )}
        </>
      )}
      <Field label="OpenPGP public key (optional)" hint="When set, files are encrypted for the partner before approval.">
        <Textarea value={form.pgpPublicKey} onChange={set('pgpPublicKey')} resize="vertical" />
      </Field>
      {problem && <Caption1 className={styles.muted}>{problem}</Caption1>}
      <RunStatus run={run} errorTestId="partner-error" />
      <div className={styles.row}>
        <Button appearance="primary" icon={<Save20Regular />} disabled={!!problem || run.running} onClick={() => void save()} data-testid="partner-save">
          {existing ? 'Save changes' : 'Add partner'}
        </Button>
        <Button onClick={onCancel}>Cancel</Button>
      </div>
    </div>
  );
}
