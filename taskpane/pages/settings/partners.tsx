/**
 * Delivery partners: the FTP, FTPS and SFTP servers files go to. Add, change, test the sign-in
 * (the same pinned handshake a delivery uses, nothing written), check the server's key against the
 * pinned one, remove (refused while a delivery target sends to the partner).
 */
import { useEffect, useState } from 'react';
import { Badge, Button, Caption1, MessageBar, MessageBarBody, Subtitle2, Text } from '@fluentui/react-components';
import { Add20Regular, CheckmarkCircle20Regular, Delete20Regular, Edit20Regular, Key20Regular } from '@fluentui/react-icons';
import { Ellipsis, RunStatus, useJobRun } from '../../components';
import { useShell } from '../../shell';
import { PartnerForm } from './partner-form';
import { listPartners, pinningText, probeServer, removePartner, testSignIn, type Partner } from './settings-api';
import { useSettingsStyles } from './styles';

type Note = { ok: boolean; text: string };

export default function PartnersSection() {
  const styles = useSettingsStyles();
  const { api } = useShell();
  const run = useJobRun<Partner[]>('The partner list', (ctx) => {
    ctx.progress('Reading the delivery partners');
    return listPartners(api, ctx.signal);
  });
  const [editing, setEditing] = useState<Partner | 'new' | null>(null);
  const [confirm, setConfirm] = useState<string | null>(null);
  const [notes, setNotes] = useState<Record<string, Note>>({});
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    void run.start();
  }, [api]); // eslint-disable-line react-hooks/exhaustive-deps

  const note = (id: string, n: Note) => setNotes((all) => ({ ...all, [id]: n }));

  async function test(p: Partner) {
    const r = await run.act(() => testSignIn(api, p));
    if (r) note(p.id, { ok: r.ok, text: r.message });
  }

  async function checkKey(p: Partner) {
    if (p.protocol === 'ftp') return note(p.id, { ok: true, text: 'Plain FTP presents no key or certificate to check.' });
    const r = await run.act(() => probeServer(api, p));
    if (!r) return;
    const what = p.protocol === 'sftp' ? 'host key' : 'certificate';
    note(
      p.id,
      r.matches
        ? { ok: true, text: `The server presents the pinned ${what}.` }
        : { ok: false, text: r.pinned ? `The server presents ${r.presented}, not the pinned ${what}: ask the partner before changing the pin.` : `The server presents ${r.presented}; nothing is pinned yet.` },
    );
  }

  async function remove(p: Partner) {
    setConfirm(null);
    const done = await run.act(async () => {
      await removePartner(api, p);
      return true;
    });
    if (done) {
      setNotice(`Removed ${p.name}; its stored password or key was deleted.`);
      void run.start();
    }
  }

  function saved(p: Partner) {
    setEditing(null);
    setNotice(`Saved ${p.name}.`);
    void run.start();
  }

  const partners = run.outcome;
  return (
    <div className={styles.root} data-testid="partners-section">
      <Subtitle2 as="h2">Delivery partners</Subtitle2>
      <Caption1 className={styles.muted}>The servers chargeback files, tuition invoices and SPURSH files are sent to. Which partner gets what is set under Delivery targets.</Caption1>
      {editing === 'new' ? (
        <PartnerForm onSaved={saved} onCancel={() => setEditing(null)} />
      ) : (
        <div>
          <Button icon={<Add20Regular />} onClick={() => (setNotice(null), setEditing('new'))} data-testid="partner-add">
            Add a partner
          </Button>
        </div>
      )}
      {notice && (
        <MessageBar intent="success" layout="multiline">
          <MessageBarBody className={styles.text}>{notice}</MessageBarBody>
        </MessageBar>
      )}
      <RunStatus run={run} errorTestId="partners-error" />
      {partners && partners.length === 0 && <Caption1>No partner yet.</Caption1>}
      {partners && partners.length > 0 && (
        <ul className={styles.list} aria-label="Delivery partners" data-testid="partners-list">
          {partners.map((p) =>
            editing !== 'new' && editing?.id === p.id ? (
              <li key={p.id}>
                <PartnerForm existing={p} onSaved={saved} onCancel={() => setEditing(null)} />
              </li>
            ) : (
              <li key={p.id} className={styles.card} data-testid="partner-card">
                <div className={styles.row}>
                  <Text weight="semibold" className={styles.text}>
                    {p.name}
                  </Text>
                  <Badge appearance="tint" size="small" color={p.hasSecret ? 'success' : 'danger'}>
                    {p.hasSecret ? (p.auth === 'key' ? 'key stored' : 'password stored') : 'no password or key'}
                  </Badge>
                </div>
                <Ellipsis text={`${p.protocol.toUpperCase()} ${p.username}@${p.host}:${p.port}${p.folder ? ` · ${p.folder}` : ''}`} />
                <Caption1 className={styles.mono}>{pinningText(p)}</Caption1>
                {p.pgpPublicKey && <Caption1>Files are encrypted with the partner&apos;s OpenPGP key.</Caption1>}
                {notes[p.id] && (
                  <Caption1 className={notes[p.id]!.ok ? styles.good : styles.bad} data-testid="partner-note">
                    {notes[p.id]!.text}
                  </Caption1>
                )}
                {confirm === p.id ? (
                  <div className={styles.row}>
                    <Caption1>Remove {p.name}?</Caption1>
                    <Button size="small" appearance="primary" onClick={() => void remove(p)} data-testid="partner-remove-confirm">
                      Remove
                    </Button>
                    <Button size="small" onClick={() => setConfirm(null)}>
                      Keep
                    </Button>
                  </div>
                ) : (
                  <div className={styles.row}>
                    <Button size="small" icon={<Edit20Regular />} disabled={run.running} onClick={() => (setNotice(null), setEditing(p))}>
                      Change
                    </Button>
                    <Button size="small" icon={<CheckmarkCircle20Regular />} disabled={run.running} onClick={() => void test(p)} data-testid="partner-test">
                      Test sign-in
                    </Button>
                    <Button size="small" icon={<Key20Regular />} disabled={run.running} onClick={() => void checkKey(p)}>
                      Check key
                    </Button>
                    <Button size="small" icon={<Delete20Regular />} disabled={run.running} onClick={() => setConfirm(p.id)} aria-label={`Remove ${p.name}`}>
                      Remove
                    </Button>
                  </div>
                )}
              </li>
            ),
          )}
        </ul>
      )}
    </div>
  );
}
