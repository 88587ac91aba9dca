// What an operator's `az login` gives DefaultAzureCredential, here: tokens the emulated Resource Manager and Kudu
// accept, issued per scope so a client asking for the wrong audience is refused exactly as Azure refuses it.
import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";
import { TokenStore, type IssuedToken } from "../management-api/tokens";
import { ArmError } from "./arm-errors";

/** Audiences Resource Manager (and Kudu, which trusts Resource Manager tokens) accept, per Azure cloud. */
export const RESOURCE_MANAGER_AUDIENCES_BY_CLOUD = {
  public: ["https://management.azure.com", "https://management.core.windows.net"],
  usgovernment: ["https://management.usgovcloudapi.net", "https://management.core.usgovcloudapi.net"],
} as const;

export type EmulatedCloudName = keyof typeof RESOURCE_MANAGER_AUDIENCES_BY_CLOUD;

export const RESOURCE_MANAGER_AUDIENCES: readonly string[] = RESOURCE_MANAGER_AUDIENCES_BY_CLOUD.public;

export class OperatorTokens {
  private readonly store = new TokenStore();

  constructor(
    readonly tenantId: string,
    private readonly audiences: readonly string[] = RESOURCE_MANAGER_AUDIENCES,
  ) {}

  /** A TokenCredential that stands in for the operator's signed-in session (in `tenantId`: default the subscriptions' own). */
  credential(tenantId = this.tenantId): TokenCredential {
    return {
      getToken: async (scopes: string | string[], _options?: GetTokenOptions): Promise<AccessToken> => {
        const scope = Array.isArray(scopes) ? scopes[0] : scopes;
        const audience = scope.replace(/\/\.default$/, "").replace(/\/$/, "");
        const { raw, token } = this.store.issue(tenantId, "04b07795-8ddb-461a-bbee-02f9e1bf7b46", audience, 3599);
        return { token: raw, expiresOnTimestamp: token.expiresAtMs };
      },
    };
  }

  /** Checks `Authorization: Bearer …` as Resource Manager does; throws the ARM error it would answer. */
  authorize(authorization: string | undefined): void {
    const token = this.validToken(authorization);
    if (token.tenantId !== this.tenantId) {
      throw new ArmError(
        401,
        "InvalidAuthenticationTokenTenant",
        `The access token is from the wrong issuer 'https://sts.windows.net/${token.tenantId}/'. It must match the tenant 'https://sts.windows.net/${this.tenantId}/' associated with this subscription. Please use the authority (URL) 'https://login.windows.net/${this.tenantId}' to get the token.`,
      );
    }
  }

  private validToken(authorization: string | undefined): IssuedToken {
    const challenge = {
      "WWW-Authenticate": `Bearer authorization_uri="https://login.microsoftonline.com/${this.tenantId}", error="invalid_token", error_description="The authentication failed because of missing 'Authorization' header."`,
    };
    if (!authorization) {
      throw new ArmError(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.", challenge);
    }
    const check = this.store.check(authorization);
    if (!check.ok) {
      const expired = check.reason.includes("expired");
      throw new ArmError(
        401,
        expired ? "ExpiredAuthenticationToken" : "InvalidAuthenticationToken",
        expired ? "The access token expiry UTC time is earlier than current UTC time." : "The access token is invalid.",
        challenge,
      );
    }
    if (!this.audiences.includes(check.token.audience)) {
      throw new ArmError(
        401,
        "InvalidAuthenticationTokenAudience",
        `The access token has been obtained for wrong audience or resource '${check.token.audience}'. It should exactly match with one of the allowed audiences '${this.audiences.map((a) => a + "/").join("','")}'.`,
        challenge,
      );
    }
    return check.token;
  }
}
