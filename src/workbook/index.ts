/** The workbook contract (SheetSpec, WorkbookPort) and the pure helpers every host shares. */
export * from './sheet-spec';
export * from './port';
export * from './cells';
export * from './csv';
export * from './write-sheets';
