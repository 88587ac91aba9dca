// Public surface of the Management Activity API client.
export { ApiOrigin } from "./api-origin";
export {
  ManagementActivityClient,
  DEFAULT_MAX_BLOB_BYTES,
  DEFAULT_REQUEST_TIMEOUT_MS,
  type ManagementActivityClientOptions,
  type ContentBlobRef,
} from "./client";
export { CLOUD_NAMES, cloudEndpoints, type CloudEndpoints, type CloudName } from "./clouds";
export { CONTENT_TYPES, isContentType, type ContentType } from "./content-types";
export {
  createManagementCredential,
  credentialConfigSchema,
  federatedAssertionAudience,
  type CredentialConfig,
  type CredentialKind,
} from "./credentials";
export { AfCodes, ClientErrorCodes, ManagementApiError, isManagementApiError, errorFromResponse } from "./errors";
export type { ManagementApiEvent, OnEvent, OnRequest, RequestInfo } from "./events";
export { nextPageUri } from "./paging";
export { withPublisherIdentifier } from "./publisher-identifier";
export { DEFAULT_RETRY, parseRetryAfter, retryDecision, type RetryOptions } from "./retry-strategy";
export type { Subscription, WebhookSpec } from "./subscription";
export { MAX_LOOKBACK_MS, MAX_WINDOW_MS, formatApiTime, planListingWindows, type ListingPlan, type ListingWindow, type WindowClamp } from "./windows";
