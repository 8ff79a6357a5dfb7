import { createRouter } from '../router.js';
import { knownTenant, requireRole, rolePolicy } from '../auth.js';
import * as handlers from './operations.handlers.js';
import * as routes from './operations.routes.js';

const router = createRouter();
for (const path of ['sync', 'reconcile', 'pause', 'resume', 'deactivate']) {
  router.use(`/tenants/:tenant/integration/${path}`, requireRole(...rolePolicy.admin), knownTenant());
}
router.use('/tenants/:tenant/runs', requireRole(...rolePolicy.read), knownTenant());

router
  .openapi(routes.syncNow, handlers.syncNow)
  .openapi(routes.reconcileNow, handlers.reconcileNow)
  .openapi(routes.pause, handlers.pause)
  .openapi(routes.resume, handlers.resume)
  .openapi(routes.deactivate, handlers.deactivate)
  .openapi(routes.runs, handlers.runs);

export default router;
