/**
 * A SPURSH file kept in the VRET outbox becomes a delivery batch to the ledger's SPURSH target
 * (src/delivery/targets.ts: the ledger's own, else the target for every ledger, else the one partner
 * that takes SPURSH), awaiting a second person's approval. Without a target it waits in the outbox,
 * and the answer says where an admin sets one. Asked again for the same file, the batch already
 * prepared is returned: a file is prepared for delivery once.
 */
import type { Person } from '../../../src/approval';
import { DEFAULT_TARGET_KEY } from '../../../src/delivery/targets';
import type { Audit } from '../../audit';
import type { Secrets } from '../../secrets';
import type { Store } from '../../store';
import { listBatches } from '../../store/batches';
import { describeDelivery, prepareDelivery, type DeliverySummary } from '../../delivery/service';
import { resolveTarget, targetedFile } from '../../delivery/targets';

export interface SpurshDelivery {
  /** The delivery batch (awaiting approval, or further along when it was prepared before); null while it waits. */
  delivery: DeliverySummary | null;
  /** Why the file waits in the outbox instead, or null. */
  waiting: string | null;
}

export async function prepareSpurshDelivery(
  deps: { store: Store; secrets: Secrets; audit: Audit },
  input: { fileName: string; content: Buffer; sha256: string; ledger?: string; preparedBy: Person },
): Promise<SpurshDelivery> {
  const earlier = (await listBatches(deps.store, { job: 'vret', limit: 500 })).find(
    (b) => (b.payload as { spurshFile?: string }).spurshFile === input.fileName && b.state !== 'cancelled' && b.state !== 'rejected',
  );
  if (earlier) return { delivery: await describeDelivery(deps.store, earlier.id), waiting: null };
  const ledger = input.ledger?.trim() || DEFAULT_TARGET_KEY;
  const choice = await resolveTarget(deps.store, deps.secrets, 'spursh', ledger);
  if (!choice.ok) return { delivery: null, waiting: `${input.fileName} waits in the outbox: ${choice.reason}` };
  const file = targetedFile(choice, input.fileName, ledger === DEFAULT_TARGET_KEY ? {} : { ledger });
  const batch = await prepareDelivery(deps, {
    job: 'vret',
    preparedBy: input.preparedBy,
    files: [{ ...file, content: input.content, label: 'SPURSH' }],
    payload: { spurshFile: input.fileName, sha256: input.sha256, ledger: ledger === DEFAULT_TARGET_KEY ? null : ledger },
  });
  return { delivery: await describeDelivery(deps.store, batch.id), waiting: null };
}
