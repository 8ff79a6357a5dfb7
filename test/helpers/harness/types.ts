import type { ProviderId } from '../../../lib/providers.js';
import type { LateCommit, CommitTimeout } from '../../../fakes/kit.js';
import type { Stack } from '../stack.js';

/**
 * One way to bring up any package's fake and activate a tenant against it through the API (test/e2e/faults.test.ts
 * and every suite that needs "a tenant on provider X"). Each provider has its harness next to this file.
 */
export interface ProviderHarness {
  provider: ProviderId;
  /** Starts the fake (seeded with customers and the articles the settings name); env entries point the stack at it. */
  start(): Promise<HarnessFake>;
}

export interface HarnessFake {
  env: Record<string, string>;
  /** The whole activation through the API (wipe, connect incl. OAuth, settings); resolves when the import finished. */
  activate(stack: Stack, tenant: string, settings?: Record<string, unknown>): Promise<void>;
  /** The request body of every create the fake carried out, oldest first, as it arrived (iMuis: the XML text). */
  receivedCreates(): unknown[];
  /** Visma.net: the warehouse is deactivated in the package (the document preview's "warehouse missing"). */
  deactivateWarehouse?(warehouseId: string): void;
  /** Where the fake's control paths live (`POST /__documents`: what a firm does in the package itself, fakes/kit.ts). */
  controlOrigin?: string;
  /** Every document the fake holds, whoever created it. */
  documents(): { id: string; customer: string | null }[];
  /** Attachments of a document by file name, once per revision (Visma.net); others have none. */
  attachments?(documentId: string): string[];
  /** Where Simon's storage serves the work order PDF of a work order, for packages that take attachments. */
  pdfUrl?(workOrderId: string): string;
  /** The fake's faults: latency, failNext (status answers), timeoutAfterCommit, commitLate. */
  faults: { latencyMs: number; failNext: unknown[]; timeoutAfterCommit: CommitTimeout | null; commitLate: LateCommit | null };
  /** The create call of a document, as the faults match it ({ method, path }). */
  createCall: { method: string; path: string };
  /** A failNext entry that answers the create call with this status (the fake's own fault shape). */
  failCreate(status: number, retryAfterSeconds?: number): unknown;
  /** What `npm run provider:check` needs against this fake: credentials as the connector holds them, and settings. */
  check?(): Promise<{ credentials: Record<string, string>; settings: Record<string, unknown> }>;
  stop(): Promise<void>;
}
