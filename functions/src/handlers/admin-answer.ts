// The admin API's answers: JSON, never cached, errors as { error: { code, message, advice } } naming what is wrong.
import type { HttpRequest, HttpResponseInit } from "@azure/functions";
import type { z } from "zod";
import { AdminRequestError } from "../admin/admin-error";
import { operatorScope, type OperatorScope } from "../admin/operator-scope";

export function answer(status: number, body: unknown): HttpResponseInit {
  return { status, jsonBody: body, headers: { "Cache-Control": "no-store" } };
}

export function refusal(status: number, code: string, message: string, advice: string): HttpResponseInit {
  return answer(status, { error: { code, message, advice } });
}

/** Runs an admin use case; a refused request becomes its status and error body (anything else: the host's 500). */
export async function adminCall(work: () => Promise<HttpResponseInit>): Promise<HttpResponseInit> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof AdminRequestError) {
      const refused = refusal(error.status, error.code, error.message, error.advice);
      if (error.retryAfterSeconds !== undefined) refused.headers = { ...(refused.headers as Record<string, string>), "Retry-After": String(error.retryAfterSeconds) };
      return refused;
    }
    throw error;
  }
}

/** The JSON body parsed against `schema`, or the 400 that names the first wrong field. */
export async function parseBody<S extends z.ZodType>(request: HttpRequest, schema: S): Promise<{ ok: true; value: z.infer<S> } | { ok: false; response: HttpResponseInit }> {
  const text = await request.text();
  let json: unknown = {};
  try {
    if (text.trim()) json = JSON.parse(text);
  } catch {
    return { ok: false, response: refusal(400, "BadRequest", "The body is not JSON.", "Send a JSON object (Content-Type: application/json).") };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  const field = issue.path.join(".") || "body";
  return { ok: false, response: refusal(400, "BadRequest", `${field}: ${issue.message}.`, `Fix ${field} and send the request again.`) };
}

/** Whose request this is: the handlers read the app settings for it here, so the admin use cases read no environment. */
export function callerScope(request: Pick<HttpRequest, "headers">): OperatorScope {
  return operatorScope(request.headers, process.env);
}
