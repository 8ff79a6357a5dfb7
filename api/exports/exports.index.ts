import { areaRouter } from '../router.js';
import * as handlers from './exports.handlers.js';
import * as routes from './exports.routes.js';

export default areaRouter(routes, handlers, ['archive', 'getExport', 'retryExport', 'listExports']);
