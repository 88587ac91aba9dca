// A deadline per HTTP attempt, covering the headers and the whole body: a stalled answer is cut and retried, not waited
// on for ever. core-rest-pipeline's request timeout stops at the headers, so the body would be unguarded.
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { apiCallFailure, callState } from "./api-call";
import { ClientErrorCodes, ManagementApiError } from "./errors";

export function attemptTimeoutPolicy(timeoutMs: number): PipelinePolicy {
  return {
    name: "managementApiAttemptTimeout",
    async sendRequest(request, next) {
      const caller = request.abortSignal;
      // One controller per attempt, fed by the timer and the caller's signal; both are released in `finally` so a
      // long-lived caller signal does not accumulate listeners over thousands of blobs.
      const local = new AbortController();
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        local.abort();
      }, timeoutMs);
      const onCallerAbort = () => local.abort();
      caller?.addEventListener("abort", onCallerAbort, { once: true });
      request.abortSignal = local.signal;
      try {
        return await next(request);
      } catch (e) {
        if (!timedOut || caller?.aborted) throw e;
        const { operation } = callState(request).call;
        throw apiCallFailure(
          new ManagementApiError(`${operation}: no complete answer within ${timeoutMs} ms (requestTimeoutMs); retrying.`, {
            code: ClientErrorCodes.Timeout,
            status: 0,
            transient: true,
            operation,
            cause: e,
          }),
          request,
        );
      } finally {
        clearTimeout(timer);
        caller?.removeEventListener("abort", onCallerAbort);
        request.abortSignal = caller;
      }
    },
  };
}
