import { areaRouter } from '../router.js';
import * as handlers from './preview.handlers.js';
import * as routes from './preview.routes.js';

export default areaRouter(routes, handlers, ['previewDocument']);
