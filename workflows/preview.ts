import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { DocumentPreviewResult, PreviewInput } from '../activities/preview.js';

/**
 * The document preview (docs/preview.md) as a short workflow the API awaits, as the activation steps are
 * (workflows/activation.ts): the API never calls a package, and every preview shows up under the tenant in the
 * Temporal UI. Only reads; a package that is away is tried a few times, then the API answers 503.
 */

const steps = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 3 },
});

export async function previewWorkflow(input: PreviewInput): Promise<DocumentPreviewResult> {
  return steps.previewDocument(input);
}
