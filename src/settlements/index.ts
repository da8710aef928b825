/**
 * Amazon settlements → Zoho Books.
 * - parse: `parseSettlementFile`, `parseSettlementFiles`, `decodeSettlementBytes`, `settlementTotalsMatch`;
 *   read: `readSettlementFile` (the lines as columns, `SettlementLines`, for consumers that total without objects);
 *   parts: the same file read in parts a host may read on several threads, joined into the one-pass result
 * - mapping: `defaultSettlementConfig`, `mergeSettlementConfig`, `zohoIdsFromLists`, `DEFAULT_RULES`
 * - build: `buildSettlementDocuments` (invoices per-order / per-settlement, payments, journals, reconciliation)
 * - sheets: `buildSettlementSheets`, `withPostingStatus`
 * - the verb: `buildSettlementPosting(files, config, { invoiceMode, balances })`
 * - documents: the contract with the posting worker (`SettlementDocument`, `resolvePaymentBody`)
 * - mapping-file: the Zoho mapping kept per connection (`readMappingFile`, `mappingCsv`, `settlementIdsFromMapping`)
 */
export * from './decode';
export * from './parse';
export { readSettlementFile, type SettlementRead, type SettlementColumnsRead } from './read';
export { planSettlementParts, readSettlementPart, joinSettlementParts, readSettlementFileInParts, type SettlementPartsPlan, type SettlementPartJob } from './parts';
export { SettlementLines, LINE_TEXT_FIELDS, type LineField, type LineTextField } from './lines';
export * from './mapping';
export * from './build';
export * from './sheets';
export * from './posting';
export * from './documents';
export * from './config-file';
export * from './mapping-file';
export * from './invoice-number';
