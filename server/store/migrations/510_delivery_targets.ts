/**
 * Delivery targets: which partner (and remote folder, file-name pattern) receives each card network's
 * chargeback files, each tuition customer's invoices and the SPURSH files of each ledger ('*': every
 * ledger without its own). The choice among them is src/delivery/targets.ts. A partner in use by a
 * target cannot be removed (the routes say which targets; the foreign key is the backstop).
 */
export const up = `
CREATE TABLE delivery_targets (
  job TEXT NOT NULL CHECK (job IN ('chargebacks', 'tuition', 'spursh')),
  target_key TEXT NOT NULL,
  label TEXT NOT NULL,
  partner_id TEXT NOT NULL REFERENCES delivery_partners (id),
  folder TEXT NOT NULL DEFAULT '',
  file_name_pattern TEXT NOT NULL DEFAULT '',
  version INTEGER NOT NULL DEFAULT 1,
  updated_by TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (job, target_key)
);
CREATE INDEX delivery_targets_partner ON delivery_targets (partner_id);
`;
