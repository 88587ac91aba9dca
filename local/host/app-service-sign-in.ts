// App Service authentication (Easy Auth), emulated for the operator routes: it accepts a bearer token the login
// emulator issued for the operator app's audience, and passes the validated principal on to the function in
// X-MS-CLIENT-PRINCIPAL (base64 JSON with auth_typ, claims, name_typ, role_typ), as the platform does.
import type { TokenStore } from "../management-api/tokens";

export interface AppServiceSignIn {
  /** The X-MS-CLIENT-PRINCIPAL value for a valid token, undefined when the request must be refused with 401. */
  principal(authorization: string | undefined): string | undefined;
}

const ROLE_TYP = "http://schemas.microsoft.com/ws/2008/06/identity/claims/role";
const NAME_TYP = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name";

/** Validates tokens of `audience` (the operator app's application id URI) against the login emulator's store. */
export function emulatedSignIn(tokens: TokenStore, audience: string): AppServiceSignIn {
  return {
    principal(authorization) {
      const check = tokens.check(authorization);
      if (!check.ok || check.token.audience !== audience) return undefined;
      const t = check.token;
      const claims = [
        { typ: "tid", val: t.tenantId },
        { typ: "aud", val: t.audience },
        ...(t.name ? [{ typ: NAME_TYP, val: t.name }] : []),
        ...t.roles.map((val) => ({ typ: ROLE_TYP, val })),
        ...(t.groups ?? []).map((val) => ({ typ: "groups", val })),
      ];
      return Buffer.from(JSON.stringify({ auth_typ: "aad", claims, name_typ: NAME_TYP, role_typ: ROLE_TYP })).toString("base64");
    },
  };
}
