import { createRouter } from '../router.js';
import * as handlers from './operations.handlers.js';
import * as routes from './operations.routes.js';

const router = createRouter();
router
  .openapi(routes.syncNow, handlers.syncNow)
  .openapi(routes.reconcileNow, handlers.reconcileNow)
  .openapi(routes.pause, handlers.pause)
  .openapi(routes.resume, handlers.resume)
  .openapi(routes.deactivate, handlers.deactivate)
  .openapi(routes.runs, handlers.runs);

export default router;
