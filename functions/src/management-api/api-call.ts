// One logical API call as the pipeline policies see it: what it is (for messages, events and the body cap), how many
// HTTP requests it has made, and what it returned. Policies find it from the PipelineRequest they are handed.
import { type PipelineRequest, RestError } from "@azure/core-rest-pipeline";
import type { ManagementApiError } from "./errors";

export interface ApiCall {
  operation: string;
  method: "GET" | "POST";
  url: string;
  body?: unknown;
  signal?: AbortSignal;
  maxBodyBytes: number;
  /** What the body is, for the BlobTooLarge message ("Content blob <uri>"). */
  describeBody?: string;
  /** Shape check of a 2xx JSON body: returns what is wrong, or null. A wrong shape is retried like a truncated body. */
  validate?: (json: unknown) => string | null;
}

export interface ApiResult {
  status: number;
  headers: { get(name: string): string | undefined };
  json: unknown;
  bytes: number;
  /** The URL actually requested (normalised, PublisherIdentifier added): NextPageUri resolves against it. */
  url: string;
}

export interface CallState {
  call: ApiCall;
  /** HTTP requests sent so far, counting from 1 (retries and the fresh-token repeat included). */
  attempts: number;
  /** The one immediate repeat after a 401 has been spent; later 401s go through the retry budget. */
  refreshedAfter401: boolean;
  result?: ApiResult;
}

const states = new WeakMap<PipelineRequest, CallState>();

export function beginCall(request: PipelineRequest, call: ApiCall): CallState {
  const state: CallState = { call, attempts: 0, refreshedAfter401: false };
  states.set(request, state);
  return state;
}

export function callState(request: PipelineRequest): CallState {
  const state = states.get(request);
  if (!state) throw new Error(`${request.url}: not sent through ManagementApiPipeline.send`);
  return state;
}

// core-rest-pipeline's retry policy only hands RestErrors to retry strategies, so our typed error rides inside one and
// is unwrapped when the call returns. (RestError resets its prototype in its constructor: it cannot be subclassed.)
const carried = new WeakMap<RestError, ManagementApiError>();

/** A RestError carrying `error` through the pipeline. */
export function apiCallFailure(error: ManagementApiError, request: PipelineRequest): RestError {
  const e = new RestError(error.message, { code: error.code, statusCode: error.status || undefined, request });
  carried.set(e, error);
  return e;
}

/** The ManagementApiError a pipeline error carries, if it carries one. */
export function carriedError(e: unknown): ManagementApiError | undefined {
  return e instanceof RestError ? carried.get(e) : undefined;
}
