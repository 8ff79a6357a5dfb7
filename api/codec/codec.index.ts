import { createRouter } from '../router.js';
import { codecAccess, codecBodyLimit, codecCors } from './codec.access.js';
import * as handlers from './codec.handlers.js';
import * as routes from './codec.routes.js';

/**
 * The Temporal codec server (`/codec/decode`, `/codec/encode`), mounted at the root by createApp, not under /v1:
 * the UI and CLI append `/decode` and `/encode` to the endpoint they are given. CORS comes first so a preflight
 * is answered without a token.
 */
const router = createRouter();
router.use('/codec/*', codecCors());
router.use('/codec/*', codecAccess());
router.use('/codec/*', codecBodyLimit());
router.openapi(routes.decode, handlers.decode).openapi(routes.encode, handlers.encode);

export default router;
