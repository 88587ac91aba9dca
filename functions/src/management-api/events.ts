// What the client reports besides its return values: metrics per HTTP request, and notable decisions callers record.

/** One HTTP request: status 0 when no response arrived (reset, timeout). `attempt` counts from 1 within one call. */
export interface RequestInfo {
  operation: string;
  status: number;
  attempt: number;
}

export type ManagementApiEvent =
  /** The requested start was older than the 7-day limit: [requestedStart, effectiveStart) can no longer be listed. */
  | { type: "windowClamped"; contentType: string; requestedStart: Date; effectiveStart: Date; lostMs: number }
  /** A contentUri / NextPageUri / redirect pointed off the API origin and was not requested. */
  | { type: "hostRefused"; operation: string; url: string; allowedOrigin: string }
  | { type: "retry"; operation: string; attempt: number; code: string; delayMs: number }
  /** A 401 dropped the cached token; the call is repeated once with a fresh one. */
  | { type: "tokenRefreshed"; operation: string }
  | { type: "subscriptionStarted"; contentType: string }
  | { type: "subscriptionStartThrottled"; contentType: string; retryAfterMs: number };

export type OnRequest = (info: RequestInfo) => void;
export type OnEvent = (event: ManagementApiEvent) => void;
