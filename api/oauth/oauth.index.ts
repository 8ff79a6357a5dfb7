import { createRouter } from '../router.js';
import { requireRole, rolePolicy, tenantScope } from '../auth.js';
import * as handlers from './oauth.handlers.js';
import * as routes from './oauth.routes.js';

const router = createRouter();
router.use('/tenants/:tenant/integration/activation/oauth-url', tenantScope(), requireRole(...rolePolicy.admin));
// The callback has no bearer token (api/app.ts lets it through): the single-use state authenticates it.

router.openapi(routes.oauthUrl, handlers.oauthUrl).openapi(routes.callback, handlers.callback);

export default router;
