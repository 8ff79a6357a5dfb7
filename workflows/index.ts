export { wipeWorkflow, connectWorkflow, checkSettingsWorkflow, saveSettingsWorkflow, optionsWorkflow } from './activation.js';
export type { ConnectResult, SaveSettingsResult } from './activation.js';
export { syncWorkflow, scheduledSyncWorkflow } from './sync.js';
export type { SyncInput, SyncResult, ScheduledSyncResult } from './sync.js';
export { exportWorkOrderWorkflow, exportSweepWorkflow } from './export.js';
export { quoteImportWorkflow } from './quotes.js';
export type { QuoteImportInput, QuoteImportWorkflowResult } from './quotes.js';
export { cleanupWorkflow } from './cleanup.js';
export type { CleanupInput, CleanupResult } from './cleanup.js';
