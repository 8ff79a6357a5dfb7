import { randomUUID } from 'node:crypto';
import type { AppRouteHandler } from '../types.js';
import type * as routes from './preview.routes.js';
import { conflict } from '../errors.js';
import { apiTexts } from '../../lib/messages.js';
import { runStep, temporalOf } from '../temporal.js';
import { getIntegration } from '../../db/queries/integration.js';
import { runMeta, workflowIds } from '../../lib/runs.js';
import { previewWorkflow } from '../../workflows/index.js';

/**
 * Runs `preview/{tenant}/{workOrder}/{nonce}` and answers its result (docs/preview.md). An integration that is not
 * active has no settings in force to build with and no package to ask: 409, as "Opnieuw versturen" answers.
 */
export const previewDocument: AppRouteHandler<typeof routes.previewDocument> = async (c) => {
  const { tenant, id } = c.req.valid('param');
  const snapshot = c.req.valid('json');
  const integ = (await getIntegration(c.get('deps').database, tenant))!;
  if (integ.status !== 'active') throw conflict(apiTexts.operations.notActive(integ.status), 'integration_not_active');
  const t = temporalOf(c);
  const result = await runStep(() =>
    t.client.workflow.execute(previewWorkflow, {
      workflowId: workflowIds.preview(tenant, id, randomUUID().slice(0, 8)),
      taskQueue: t.taskQueue,
      args: [{ tenantId: tenant, workOrderId: id, snapshot }],
      workflowExecutionTimeout: '3 minutes',
      ...runMeta({ tenantId: tenant, provider: integ.provider, kind: 'preview', workOrderId: id }),
    }),
  );
  return c.json(result, 200);
};
