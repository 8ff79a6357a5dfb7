import { createRouter } from '../router.js';
import * as handlers from './exports.handlers.js';
import * as routes from './exports.routes.js';

const router = createRouter();
router
  .openapi(routes.archive, handlers.archive)
  .openapi(routes.getExport, handlers.getExport)
  .openapi(routes.retryExport, handlers.retryExport)
  .openapi(routes.listExports, handlers.listExports);

export default router;
