/**
 * Zoho mappings: per connection, what settlements post to — GL account name → Zoho account, SKU →
 * item, charge line → item, marketplace → customer — each picked from the organisation's own lists.
 * Names that match the organisation's lists can be filled in at once; a mapping file (CSV or JSON)
 * loads many, refused with its problems (file, row, column, value) when any is wrong; the mapping
 * exports as CSV. The Settlements page and `closedesk settlements --connection` use what is stored.
 */
import { useEffect, useRef, useState } from 'react';
import { Button, Caption1, Checkbox, Field, MessageBar, MessageBarBody, Subtitle2 } from '@fluentui/react-components';
import { ArrowDownload20Regular, ArrowUpload20Regular, CheckmarkCircle20Regular } from '@fluentui/react-icons';
import type { Problem } from '../../../src/kernel/problems';
import type { ZohoLists } from '../../../src/settlements/mapping';
import { MAPPING_KINDS, MAPPING_KIND_WORDS, type MappingKind } from '../../../src/settlements/mapping-file';
import { Ellipsis, PaneSelect, ProblemsList, RunStatus, countOf, downloadText, useJobRun } from '../../components';
import { useShell } from '../../shell';
import {
  exportMapping,
  listConnections,
  listMapping,
  loadMappingFile,
  mappingRows,
  organisationLists,
  removeMapping,
  setMapping,
  zohoOptions,
  type ConnectionSummary,
  type StoredMappingEntry,
} from './settings-api';
import { AddRow } from './add-row';
import { useSettingsStyles } from './styles';

interface Loaded {
  connectionId: string;
  entries: StoredMappingEntry[];
  lists: ZohoLists;
}

export default function MappingsSection() {
  const styles = useSettingsStyles();
  const { api } = useShell();
  const [connections, setConnections] = useState<ConnectionSummary[] | null>(null);
  const [connectionId, setConnectionId] = useState('');
  const [kind, setKind] = useState<MappingKind>('account');
  const [extra, setExtra] = useState<{ kind: MappingKind; key: string }[]>([]);
  const [replace, setReplace] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [fileProblems, setFileProblems] = useState<{ name: string; problems: Problem[] } | null>(null);
  const fileRef = useRef<HTMLInputElement>(null);

  const run = useJobRun<Loaded>('The Zoho mapping', async (ctx) => {
    const list = connections ?? (await listConnections(api, ctx.signal));
    if (!connections) setConnections(list);
    const id = connectionId || list[0]?.id || '';
    if (!id) return undefined;
    if (!connectionId) setConnectionId(id);
    const name = list.find((c) => c.id === id)?.name ?? id;
    ctx.progress(`Reading the mapping and the lists of ${name}`);
    const [entries, lists] = await Promise.all([listMapping(api, id, ctx.signal), organisationLists(api, id, ctx.signal)]);
    return { connectionId: id, entries, lists };
  });

  useEffect(() => {
    void run.start();
  }, [api, connectionId]); // eslint-disable-line react-hooks/exhaustive-deps

  const loaded = run.outcome && run.outcome.connectionId === connectionId ? run.outcome : null;
  const connection = connections?.find((c) => c.id === connectionId);

  async function refreshEntries(id: string) {
    const entries = await listMapping(api, id);
    run.setOutcome((o) => (o && o.connectionId === id ? { ...o, entries } : o));
  }

  async function pick(key: string, zohoId: string, current: StoredMappingEntry | undefined) {
    if (!loaded) return;
    setNotice(null);
    await run.act(async () => {
      if (!zohoId) {
        if (current) await removeMapping(api, loaded.connectionId, kind, current.key);
      } else {
        const name = zohoOptions(kind, loaded.lists).find((o) => o.id === zohoId)?.name ?? '';
        await setMapping(api, loaded.connectionId, { kind, key, zohoId, zohoName: name });
      }
      await refreshEntries(loaded.connectionId);
    });
  }

  // A name added by hand is listed until an id is picked for it, then stored.
  const shown = loaded ? mappingRows(kind, loaded.entries, loaded.lists, extra.filter((e) => e.kind === kind).map((e) => e.key)) : [];
  const byName = shown.filter((r) => !r.entry && r.byName);

  async function fillByName() {
    if (!loaded) return;
    const options = zohoOptions(kind, loaded.lists);
    await run.act(async () => {
      for (const r of byName) await setMapping(api, loaded.connectionId, { kind, key: r.key, zohoId: r.byName!, zohoName: options.find((o) => o.id === r.byName)?.name ?? '' });
      await refreshEntries(loaded.connectionId);
    });
    setNotice(`${countOf(byName.length, MAPPING_KIND_WORDS[kind].key.toLowerCase())} mapped by name.`);
  }

  async function loadFile(file: File | undefined) {
    if (!file || !loaded) return;
    setNotice(null);
    setFileProblems(null);
    const text = await file.text();
    const r = await run.act(() => loadMappingFile(api, loaded.connectionId, file.name, text, replace));
    if (fileRef.current) fileRef.current.value = '';
    if (!r) return;
    if (!r.ok) {
      run.setError(r.message);
      setFileProblems({ name: file.name, problems: r.problems });
      return;
    }
    run.setOutcome((o) => (o && o.connectionId === loaded.connectionId ? { ...o, entries: r.entries } : o));
    if (r.problems.length) setFileProblems({ name: file.name, problems: r.problems });
    setNotice(`Loaded ${countOf(r.set, 'entry', 'entries')} from ${file.name}${r.removed ? `; ${countOf(r.removed, 'entry', 'entries')} it does not list removed` : ''}.`);
  }

  async function exportCsv() {
    if (!loaded) return;
    const r = await run.act(() => exportMapping(api, loaded.connectionId));
    if (r) downloadText(r.fileName, r.csv);
  }

  return (
    <div className={styles.root} data-testid="mappings-section">
      <Subtitle2 as="h2">Zoho mappings</Subtitle2>
      <Caption1 className={styles.muted}>What settlements post to in Zoho Books, per connection. The Settlements page uses it; names it lacks are looked up by name.</Caption1>
      {connections && connections.length === 0 && <Caption1 className={styles.bad}>No Zoho organisation is connected: connect one under Zoho connections first.</Caption1>}
      {connections && connections.length > 0 && (
        <Field label="Connection">
          <PaneSelect
            value={connectionId}
            onChange={(_, d) => {
              setConnectionId(d.value);
              setExtra([]);
              setFileProblems(null);
              setNotice(null);
            }}
            options={connections.map((c) => ({ value: c.id, label: `${c.name} (${c.organizationName}${c.sandbox ? ', sandbox' : ''})` }))}
            data-testid="mapping-connection"
          />
        </Field>
      )}
      <RunStatus run={run} errorTestId="mappings-error" />
      {notice && (
        <MessageBar intent="success" layout="multiline" data-testid="mappings-notice">
          <MessageBarBody className={styles.text}>{notice}</MessageBarBody>
        </MessageBar>
      )}
      {fileProblems && <ProblemsList problems={fileProblems.problems} title={`Problems in ${fileProblems.name}`} />}
      {loaded && (
        <>
          <div className={styles.form}>
            <input ref={fileRef} className={styles.hidden} type="file" accept=".csv,.json,text/csv,application/json" onChange={(e) => void loadFile(e.target.files?.[0])} data-testid="mapping-file" />
            <Caption1 className={styles.text}>A mapping file: CSV with KIND (account, item, charge-item, customer), KEY, ZOHO_ID; or the settlement mapping JSON. Every id is checked against {connection?.organizationName ?? 'the organisation'}.</Caption1>
            <Checkbox checked={replace} onChange={(_, d) => setReplace(!!d.checked)} label="Remove entries the file does not list" />
            <div className={styles.row}>
              <Button icon={<ArrowUpload20Regular />} disabled={run.running} onClick={() => fileRef.current?.click()} data-testid="mapping-load">
                Load mapping file
              </Button>
              <Button icon={<ArrowDownload20Regular />} disabled={run.running} onClick={() => void exportCsv()} data-testid="mapping-export">
                Export CSV
              </Button>
            </div>
          </div>
          <Field label="Mapping of">
            <PaneSelect value={kind} onChange={(_, d) => setKind(d.value as MappingKind)} options={MAPPING_KINDS.map((k) => ({ value: k, label: `${MAPPING_KIND_WORDS[k].title} (${loaded.entries.filter((e) => e.kind === k).length})` }))} data-testid="mapping-kind" />
          </Field>
          {byName.length > 0 && (
            <div>
              <Button icon={<CheckmarkCircle20Regular />} disabled={run.running} onClick={() => void fillByName()} data-testid="mapping-fill">
                Map {countOf(byName.length, 'name')} found in Zoho
              </Button>
            </div>
          )}
          <ul className={styles.list} aria-label={MAPPING_KIND_WORDS[kind].title} data-testid="mapping-rows">
            {shown.map((r) => (
              <li key={r.key} className={styles.card} data-testid="mapping-row" data-key={r.key}>
                <Ellipsis text={r.key} />
                <PaneSelect
                  size="small"
                  value={r.entry?.zohoId ?? ''}
                  disabled={run.running}
                  onChange={(_, d) => void pick(r.key, d.value, r.entry)}
                  aria-label={`${MAPPING_KIND_WORDS[kind].zoho} for ${r.key}`}
                  options={[
                    { value: '', label: r.byName ? 'Not mapped (a name in Zoho matches)' : 'Not mapped' },
                    ...zohoOptions(kind, loaded.lists).map((o) => ({ value: o.id, label: o.name })),
                  ]}
                />
              </li>
            ))}
          </ul>
          {kind !== 'charge-item' && <AddRow label={`Another ${MAPPING_KIND_WORDS[kind].key}`} button="Add" onAdd={(key) => setExtra((x) => [...x, { kind, key }])} testId="mapping-new-key" />}
        </>
      )}
    </div>
  );
}
