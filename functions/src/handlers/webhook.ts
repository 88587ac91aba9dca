import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { createHash, timingSafeEqual } from "node:crypto";
import { getAuditLake } from "../composition-root";
import { fieldsArgument } from "../log-line";
import { RefusalSample } from "./refusal-sample";

/**
 * POST from the Management Activity API: the validation handshake when a webhook subscription starts, then
 * notifications of new content. Every request must carry Webhook-AuthID equal to WEBHOOK_AUTH_ID (401 otherwise),
 * checked before anything is built; refusals are logged by sample.
 */
export function webhookHandler(opts: { now?: () => number } = {}) {
  const refusals = new RefusalSample(60_000, opts.now);
  return async function webhook(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
    // Read before the engine is built: an unauthenticated caller must cost no engine, no storage client, no token.
    const expected = process.env.WEBHOOK_AUTH_ID || undefined;
    const presented = request.headers.get("webhook-authid");
    if (!expected || presented === null || !sameSecret(presented, expected)) {
      const refused = refusals.take();
      if (refused > 0) {
        context.warn(
          `webhook: ${refused} request(s) refused without the right Webhook-AuthID since the last such line` +
            `${expected ? "" : " (WEBHOOK_AUTH_ID is not set, so every request is refused)"}`,
          fieldsArgument({ stage: "webhook", outcome: "refused", code: expected ? "WrongWebhookAuthId" : "WebhookAuthIdNotSet", refused }),
        );
      }
      return { status: 401, jsonBody: { error: "Webhook-AuthID missing or wrong" } };
    }
    return admit(request, context);
  };
}

/** The handler the Functions host runs. */
export const webhook = webhookHandler();

async function admit(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const lake = getAuditLake();
  const text = await request.text();
  let body: unknown = undefined;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    return { status: 400, jsonBody: { error: "body is not JSON" } };
  }

  // Handshake: answering 200 is what validates the subscription (anything else fails its start with AF20021).
  const validationCode = request.headers.get("webhook-validationcode") ?? (body as { validationCode?: unknown })?.validationCode;
  if (validationCode !== null && validationCode !== undefined) {
    context.info("webhook: validation handshake answered", fieldsArgument({ stage: "webhook", outcome: "validated" }));
    return { status: 200, body: String(validationCode) };
  }

  // A storage failure throws: the host answers 500 and the API retries the notification.
  const outcome = await lake.admitNotifications(body, context);
  context.info(
    `webhook: ${outcome.enqueued} enqueued, ${outcome.known} already known, ${outcome.rejected} rejected`,
    fieldsArgument({ stage: "webhook", outcome: "admitted", enqueued: outcome.enqueued, known: outcome.known, rejected: outcome.rejected }),
  );
  return { status: 200, jsonBody: outcome };
}

function sameSecret(a: string, b: string): boolean {
  // Hash first: timingSafeEqual needs equal lengths, and the length must not leak either.
  return timingSafeEqual(createHash("sha256").update(a).digest(), createHash("sha256").update(b).digest());
}
