import { areaRouter } from '../router.js';
import * as handlers from './operations.handlers.js';
import * as routes from './operations.routes.js';

export default areaRouter(routes, handlers, ['syncNow', 'reconcileNow', 'pause', 'resume', 'deactivate', 'runs']);
