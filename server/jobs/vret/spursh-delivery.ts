/**
 * A SPURSH file saved in the VRET outbox becomes a delivery batch to the ledger's SPURSH target
 * (src/delivery/targets.ts: the ledger's own, else the default for every ledger), awaiting a second
 * person's approval. Asked again for the same file, the batch already prepared is returned: a file
 * is prepared for delivery once.
 */
import type { Person } from '../../../src/approval';
import { DEFAULT_TARGET_KEY } from '../../../src/delivery/targets';
import type { Audit } from '../../audit';
import type { Secrets } from '../../secrets';
import type { Store } from '../../store';
import { listBatches } from '../../store/batches';
import { prepareDelivery } from '../../delivery/service';
import { resolveTarget, targetedFile } from '../../delivery/targets';

export interface SpurshDelivery {
  /** The delivery batch awaiting approval (or already further), null when no target is set. */
  delivery: { batchId: string; state: string; partner: string; fileName: string; folder: string } | null;
  /** What happens next, in one sentence for the page. */
  message: string;
}

export async function prepareSpurshDelivery(
  deps: { store: Store; secrets: Secrets; audit: Audit },
  input: { fileName: string; content: Buffer; ledger?: string; preparedBy: Person },
): Promise<SpurshDelivery> {
  const ledger = input.ledger?.trim() || DEFAULT_TARGET_KEY;
  const earlier = (await listBatches(deps.store, { job: 'vret', limit: 500 })).find(
    (b) => (b.payload as { spurshFile?: string }).spurshFile === input.fileName && b.state !== 'cancelled' && b.state !== 'rejected',
  );
  if (earlier) {
    const p = earlier.payload as { partner?: string; deliveredName?: string; folder?: string };
    return {
      delivery: { batchId: earlier.id, state: earlier.state, partner: p.partner ?? '', fileName: p.deliveredName ?? input.fileName, folder: p.folder ?? '' },
      message: `${input.fileName} was already prepared for delivery to ${p.partner ?? 'its partner'} (batch ${earlier.id}, ${earlier.state.replace(/_/g, ' ')}).`,
    };
  }
  const choice = await resolveTarget(deps.store, deps.secrets, 'spursh', ledger);
  if (!choice.ok) return { delivery: null, message: `${input.fileName} is saved on the server. ${choice.reason} Then send it again.` };
  const file = targetedFile(choice, input.fileName, ledger === DEFAULT_TARGET_KEY ? {} : { ledger });
  const batch = await prepareDelivery(deps, {
    job: 'vret',
    preparedBy: input.preparedBy,
    files: [{ ...file, content: input.content, label: 'SPURSH' }],
    payload: { spurshFile: input.fileName, ledger: ledger === DEFAULT_TARGET_KEY ? null : ledger, partner: choice.partnerName, deliveredName: file.fileName, folder: file.folder },
  });
  return {
    delivery: { batchId: batch.id, state: batch.state, partner: choice.partnerName, fileName: file.fileName, folder: file.folder },
    message: `${input.fileName} is prepared for delivery to ${choice.partnerName}${file.folder ? `, folder ${file.folder}` : ''}${file.fileName !== input.fileName ? `, as ${file.fileName}` : ''} (batch ${batch.id}); it is sent once another person approves it.`,
  };
}
