import { areaRouter } from '../router.js';
import * as handlers from './activation.handlers.js';
import * as routes from './activation.routes.js';

export default areaRouter(routes, handlers, ['startActivation', 'wipe', 'connect', 'checkSettings', 'saveSettings', 'options']);
