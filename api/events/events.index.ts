import { createRouter } from '../router.js';
import { knownTenant, requireRole, rolePolicy } from '../auth.js';
import * as handlers from './events.handlers.js';
import * as routes from './events.routes.js';

const router = createRouter();
// Endpoints and their secrets: admins (and the backend); the events and their delivery log: every reader.
router.use('/webhook-endpoints', requireRole(...rolePolicy.admin));
router.use('/webhook-endpoints/*', requireRole(...rolePolicy.admin));
router.use('/tenants/:tenant/events', requireRole(...rolePolicy.read), knownTenant());
router.use('/tenants/:tenant/events/:eventId', requireRole(...rolePolicy.read), knownTenant());
router.use('/tenants/:tenant/events/:eventId/redeliver', requireRole(...rolePolicy.admin), knownTenant());

router
  .openapi(routes.createEndpoint, handlers.createEndpoint)
  .openapi(routes.listEndpoints, handlers.listEndpoints)
  .openapi(routes.updateEndpoint, handlers.updateEndpoint)
  .openapi(routes.deleteEndpoint, handlers.deleteEndpoint)
  .openapi(routes.rotateSecret, handlers.rotateSecret)
  .openapi(routes.listEvents, handlers.listEvents)
  .openapi(routes.getEvent, handlers.getEvent)
  .openapi(routes.redeliver, handlers.redeliver);

export default router;
