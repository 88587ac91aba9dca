// The client's logger: @azure/logger, so AZURE_LOG_LEVEL (or setLogLevel) turns it on with the SDKs' own logs.
import { createClientLogger } from "@azure/logger";

export const managementApiLogger = createClientLogger("m365-audit-lake:management-api");
