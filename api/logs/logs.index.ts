import { createRouter } from '../router.js';
import * as handlers from './logs.handlers.js';
import * as routes from './logs.routes.js';

const router = createRouter().openapi(routes.list, handlers.list);

export default router;
