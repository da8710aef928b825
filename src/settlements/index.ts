/**
 * Amazon settlements → Zoho Books (DESIGN.md §4.3).
 * - parse: `parseSettlementFile`, `parseSettlementFiles`, `decodeSettlementBytes`, `settlementTotalsMatch`
 * - mapping: `defaultSettlementConfig`, `mergeSettlementConfig`, `zohoIdsFromLists`, `DEFAULT_RULES`
 * - build: `buildSettlementDocuments` (invoices per-order / per-settlement, payments, journals, reconciliation)
 * - sheets: `buildSettlementSheets`, `withPostingStatus`
 * - the verb: `buildSettlementPosting(files, config, { invoiceMode, balances })`
 * - documents: the contract with the posting worker (`SettlementDocument`, `resolvePaymentBody`)
 * - mapping-file: the Zoho mapping kept per connection (`readMappingFile`, `mappingCsv`, `settlementIdsFromMapping`)
 */
export * from './decode';
export * from './parse';
export * from './mapping';
export * from './build';
export * from './sheets';
export * from './posting';
export * from './documents';
export * from './config-file';
export * from './mapping-file';
export * from './invoice-number';
