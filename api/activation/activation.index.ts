import { createRouter } from '../router.js';
import * as handlers from './activation.handlers.js';
import * as routes from './activation.routes.js';

const router = createRouter();
router
  .openapi(routes.startActivation, handlers.startActivation)
  .openapi(routes.wipe, handlers.wipe)
  .openapi(routes.connect, handlers.connect)
  .openapi(routes.checkSettings, handlers.checkSettings)
  .openapi(routes.saveSettings, handlers.saveSettings)
  .openapi(routes.options, handlers.options);

export default router;
