import { createRouter } from '../router.js';
import { knownTenant, requireRole, rolePolicy } from '../auth.js';
import * as handlers from './exports.handlers.js';
import * as routes from './exports.routes.js';

const router = createRouter();
router.use('/tenants/:tenant/work-orders/:id/archive', requireRole(...rolePolicy.backend), knownTenant());
router.use('/tenants/:tenant/work-orders/:id/export', requireRole(...rolePolicy.read), knownTenant());
router.use('/tenants/:tenant/work-orders/:id/export/retry', requireRole(...rolePolicy.admin), knownTenant());
router.use('/tenants/:tenant/exports', requireRole(...rolePolicy.read), knownTenant());

router
  .openapi(routes.archive, handlers.archive)
  .openapi(routes.getExport, handlers.getExport)
  .openapi(routes.retryExport, handlers.retryExport)
  .openapi(routes.listExports, handlers.listExports);

export default router;
