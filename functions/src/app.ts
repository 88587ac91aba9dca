// The only file that registers triggers with the Functions host; the handlers themselves are host-agnostic.
import { app } from "@azure/functions";
import { ingestContent } from "./handlers/ingest-content";
import { plan } from "./handlers/plan";
import { runBackfills } from "./handlers/run-backfills";
import { settleAdxFailures } from "./handlers/settle-adx-failures";
import { hostAuthLevel, httpRoutes } from "./http-routes";

app.timer("plan", { schedule: "0 */5 * * * *", handler: plan });
// ADX reports a failed queued ingestion minutes after the worker was done (its batching seals every 5 minutes).
app.timer("settle-adx-failures", { schedule: "0 */5 * * * *", handler: settleAdxFailures });
// Back-fill through Graph: each run submits, polls and pages within its budget (runs never overlap: timers are singletons).
app.timer("run-backfills", { schedule: "0 */5 * * * *", handler: runBackfills });

// Same queue name (and default) the planner writes to, read from the app settings when the app loads; the host
// decodes the base64 JSON message before calling the handler.
app.storageQueue("ingest-content", {
  queueName: process.env.CONTENT_QUEUE || "audit-content",
  connection: "AzureWebJobsStorage",
  handler: ingestContent,
});

// HTTP functions come from one table the local host serves too.
for (const r of httpRoutes) app.http(r.name, { methods: r.methods, authLevel: hostAuthLevel(r), route: r.route, handler: r.handler });
