import { randomUUID } from "node:crypto";

/** Error codes the emulator answers with; the ingestion ones are ADX's own (see "Ingestion error codes"). */
export type AdxErrorCode =
  | "BadRequest_DatabaseNotExist"
  | "BadRequest_TableNotExist"
  | "BadRequest_MappingReferenceWasNotFound"
  | "BadRequest_InvalidMapping"
  | "BadRequest_InvalidBlob"
  | "BadRequest_NoRecordsOrWrongFormat"
  | "BadRequest_FormatNotSupported"
  | "BadRequest_InvalidIngestionProperty"
  | "Download_SourceNotFound"
  | "Download_Forbidden"
  | "BadRequest_RequestTooLarge"
  | "BadRequest_StreamingIngestionPolicyNotEnabled"
  | "BadRequest_SyntaxError"
  | "BadRequest_EmulatorInjectedFault"
  | "General_RetryAttemptsExceeded"
  | "ServiceUnavailable"
  | "Unauthorized"
  | "NotFound";

/**
 * An ingestion or request failure. `permanent` mirrors ADX's `@permanent` flag: retrying the same request cannot
 * succeed; transient failures (5xx) may.
 */
export class AdxIngestionError extends Error {
  constructor(
    readonly code: AdxErrorCode,
    message: string,
    readonly permanent: boolean = true,
    readonly httpStatus: number = permanent ? 400 : 503,
  ) {
    super(message);
    this.name = "AdxIngestionError";
  }
}

const EXCEPTION_TYPES: Partial<Record<AdxErrorCode, string>> = {
  BadRequest_DatabaseNotExist: "Kusto.Data.Exceptions.EntityNotFoundException",
  BadRequest_TableNotExist: "Kusto.Data.Exceptions.EntityNotFoundException",
  BadRequest_MappingReferenceWasNotFound: "Kusto.Data.Exceptions.EntityNotFoundException",
  BadRequest_SyntaxError: "Kusto.Data.Exceptions.SyntaxException",
  BadRequest_StreamingIngestionPolicyNotEnabled: "Kusto.DataNode.Exceptions.StreamingIngestionPolicyNotEnabledException",
  Unauthorized: "Kusto.Data.Exceptions.KustoRequestDeniedException",
};

/** The OneApi error body ADX answers failed REST calls with (what azure-kusto-data surfaces as the axios response data). */
export function oneApiErrorBody(err: AdxIngestionError, clientRequestId: string | undefined): object {
  return {
    error: {
      code: err.code,
      message: err.permanent ? "Request is invalid and cannot be executed." : "Service is temporarily unavailable.",
      "@type": EXCEPTION_TYPES[err.code] ?? (err.permanent ? "Kusto.Data.Exceptions.BadRequestException" : "Kusto.Data.Exceptions.KustoServiceTimeoutException"),
      "@message": err.message,
      "@context": {
        timestamp: new Date().toISOString(),
        serviceAlias: "ADX-EMULATOR",
        clientRequestId: clientRequestId ?? "",
        activityId: randomUUID(),
      },
      "@permanent": err.permanent,
    },
  };
}
