import { createRouter } from '../router.js';
import { knownTenant, requireRole, rolePolicy } from '../auth.js';
import * as handlers from './preview.handlers.js';
import * as routes from './preview.routes.js';

const router = createRouter();
router.use('/tenants/:tenant/work-orders/:id/preview', requireRole(...rolePolicy.admin), knownTenant());

router.openapi(routes.previewDocument, handlers.previewDocument);

export default router;
