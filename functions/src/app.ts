// The only file that registers triggers with the Functions host; the handlers themselves are host-agnostic.
import { app } from "@azure/functions";
import { ingestContent } from "./handlers/ingest-content";
import { plan } from "./handlers/plan";
import { settleAdxFailures } from "./handlers/settle-adx-failures";
import { httpRoutes } from "./http-routes";

app.timer("plan", { schedule: "0 */5 * * * *", handler: plan });
// ADX reports a failed queued ingestion minutes after the worker was done (its batching seals every 5 minutes).
app.timer("settle-adx-failures", { schedule: "0 */5 * * * *", handler: settleAdxFailures });

// Same queue name (and default) the planner writes to, read from the app settings when the app loads; the host
// decodes the base64 JSON message before calling the handler.
app.storageQueue("ingest-content", {
  queueName: process.env.CONTENT_QUEUE || "audit-content",
  connection: "AzureWebJobsStorage",
  handler: ingestContent,
});

// HTTP functions come from one table the local host serves too.
for (const { name, methods, authLevel, route, handler } of httpRoutes) app.http(name, { methods, authLevel, route, handler });
