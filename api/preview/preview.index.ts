import { createRouter } from '../router.js';
import * as handlers from './preview.handlers.js';
import * as routes from './preview.routes.js';

const router = createRouter();
router.openapi(routes.previewDocument, handlers.previewDocument);

export default router;
