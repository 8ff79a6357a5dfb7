import { createRouter } from '../router.js';
import * as handlers from './simon.handlers.js';
import * as routes from './simon.routes.js';

const router = createRouter()
  .openapi(routes.listCustomers, handlers.listCustomers)
  .openapi(routes.listCustomerWorkAddresses, handlers.listCustomerWorkAddresses)
  .openapi(routes.addWorkAddress, handlers.addWorkAddress)
  .openapi(routes.listWorkAddresses, handlers.listWorkAddresses)
  .openapi(routes.listArticles, handlers.listArticles)
  .openapi(routes.listArticleGroups, handlers.listArticleGroups)
  .openapi(routes.listWorkOrders, handlers.listWorkOrders);

export default router;
