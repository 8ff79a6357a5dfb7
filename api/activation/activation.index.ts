import { createRouter } from '../router.js';
import { requireRole, rolePolicy, tenantScope } from '../auth.js';
import * as handlers from './activation.handlers.js';
import * as routes from './activation.routes.js';

const router = createRouter();
router.use('/tenants/:tenant/integration/activation', tenantScope(), requireRole(...rolePolicy.admin));
router.use('/tenants/:tenant/integration/activation/*', tenantScope(), requireRole(...rolePolicy.admin));
router.use('/tenants/:tenant/integration/settings', tenantScope(), requireRole(...rolePolicy.admin));
router.use('/tenants/:tenant/integration/options/*', tenantScope(), requireRole(...rolePolicy.admin));

router
  .openapi(routes.startActivation, handlers.startActivation)
  .openapi(routes.wipe, handlers.wipe)
  .openapi(routes.connect, handlers.connect)
  .openapi(routes.checkSettings, handlers.checkSettings)
  .openapi(routes.saveSettings, handlers.saveSettings)
  .openapi(routes.options, handlers.options);

export default router;
