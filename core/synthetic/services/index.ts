import { auth } from "./auth.js";
import { cache } from "./cache.js";
import { database } from "./database.js";
import { gateway } from "./gateway.js";
import { inventory } from "./inventory.js";
import { notification } from "./notification.js";
import { payment } from "./payment.js";
import { queueWorker } from "./queueWorker.js";
import { scheduler } from "./scheduler.js";
import { search } from "./search.js";
import type { ServiceSpec } from "./spec.js";
import { storage } from "./storage.js";
import { webApi } from "./webApi.js";

/** Every simulated service, busiest first. The order is part of the output: do not reorder. */
export const SERVICE_SPECS: readonly ServiceSpec[] = [
  webApi,
  gateway,
  database,
  auth,
  cache,
  queueWorker,
  payment,
  search,
  notification,
  inventory,
  scheduler,
  storage,
];
