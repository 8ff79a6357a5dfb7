import { createRouter } from '../router.js';
import * as handlers from './simon-tables.handlers.js';
import * as routes from './simon-tables.routes.js';

const router = createRouter().openapi(routes.list, handlers.list);

export default router;
