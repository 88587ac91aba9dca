// Which tenants the caller of an operator route may see and act on. With Entra sign-in on (App Service authentication
// in front of the operator routes, OPERATOR_SIGN_IN=entra), the platform validates the operator's token and hands the
// principal over in X-MS-CLIENT-PRINCIPAL (dropping any copy a client sent): its app roles decide. Without sign-in, the
// host's function key was the check, and a key holder is the break-glass operator of every tenant.
import { AdminRequestError } from "./admin-error";

export const OPERATOR_ROLES = { all: "Operator.All", tenant: "Operator.Tenant" } as const;
export const OPERATOR_SIGN_IN_SETTING = "OPERATOR_SIGN_IN";
/** JSON: Entra group object id → the tenant ids an `Operator.Tenant` member of that group may see. */
export const OPERATOR_TENANT_GROUPS_SETTING = "OPERATOR_TENANT_GROUPS";

export type OperatorScope = { kind: "all"; operator: string } | { kind: "tenants"; operator: string; tenants: ReadonlySet<string> };

interface ClientPrincipal {
  claims?: Array<{ typ?: unknown; val?: unknown }>;
  name_typ?: unknown;
  role_typ?: unknown;
}

const ROLE_CLAIMS = new Set(["roles", "http://schemas.microsoft.com/ws/2008/06/identity/claims/role"]);
const GROUP_CLAIMS = new Set(["groups", "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups"]);

/** True when the operator routes sit behind Entra sign-in (then the routes are anonymous at the host). */
export function operatorSignInEnabled(env: Record<string, string | undefined>): boolean {
  return env[OPERATOR_SIGN_IN_SETTING]?.trim().toLowerCase() === "entra";
}

export function operatorScope(headers: { get(name: string): string | null }, env: Record<string, string | undefined>): OperatorScope {
  if (!operatorSignInEnabled(env)) return { kind: "all", operator: "function key" };
  const encoded = headers.get("x-ms-client-principal");
  if (!encoded) {
    throw new AdminRequestError(401, "SignInRequired", "The operator routes need an Entra sign-in, and this request carries none.", "Sign in with your own Entra account (`az login`); the CLI then sends your token instead of a function key.");
  }
  const principal = decode(encoded);
  const claims = (principal.claims ?? []).filter((c): c is { typ: string; val: string } => typeof c.typ === "string" && typeof c.val === "string");
  const roleTyp = typeof principal.role_typ === "string" ? principal.role_typ : "roles";
  const nameTyp = typeof principal.name_typ === "string" ? principal.name_typ : "name";
  const roles = new Set(claims.filter((c) => c.typ === roleTyp || ROLE_CLAIMS.has(c.typ)).map((c) => c.val));
  const operator = claims.find((c) => c.typ === nameTyp || c.typ === "preferred_username" || c.typ === "name")?.val ?? "signed-in operator";
  if (roles.has(OPERATOR_ROLES.all)) return { kind: "all", operator };
  if (roles.has(OPERATOR_ROLES.tenant)) {
    const groups = claims.filter((c) => GROUP_CLAIMS.has(c.typ)).map((c) => c.val.toLowerCase());
    const byGroup = tenantGroups(env);
    const tenants = new Set(groups.flatMap((g) => byGroup.get(g) ?? []));
    if (tenants.size) return { kind: "tenants", operator, tenants };
  }
  throw new AdminRequestError(
    403,
    "NotAnOperator",
    `${operator} holds neither ${OPERATOR_ROLES.all} nor ${OPERATOR_ROLES.tenant} with a group that ${OPERATOR_TENANT_GROUPS_SETTING} gives tenants.`,
    `Ask whoever administers the app to assign you (or your group) an app role of the operator app, and to map your group to its tenants in ${OPERATOR_TENANT_GROUPS_SETTING}.`,
  );
}

/** True when the scope reaches the tenant. */
export function inScope(scope: OperatorScope, tenantId: string): boolean {
  return scope.kind === "all" || scope.tenants.has(tenantId.toLowerCase());
}

function decode(encoded: string): ClientPrincipal {
  try {
    const parsed = JSON.parse(Buffer.from(encoded, "base64").toString("utf8")) as unknown;
    if (parsed && typeof parsed === "object") return parsed as ClientPrincipal;
  } catch {
    // refused below
  }
  throw new AdminRequestError(401, "SignInRequired", "X-MS-CLIENT-PRINCIPAL is not the platform's base64 JSON principal.", "Sign in again; the header comes from App Service authentication, never from a client.");
}

function tenantGroups(env: Record<string, string | undefined>): Map<string, string[]> {
  const text = env[OPERATOR_TENANT_GROUPS_SETTING];
  const map = new Map<string, string[]>();
  if (!text) return map;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new AdminRequestError(403, "BadOperatorGroups", `${OPERATOR_TENANT_GROUPS_SETTING} is not a JSON object of group id → tenant ids, so no tenant-scoped operator is admitted.`, `Fix ${OPERATOR_TENANT_GROUPS_SETTING} in the deployment config and deploy.`);
  }
  for (const [group, tenants] of Object.entries(parsed)) {
    if (Array.isArray(tenants)) map.set(group.toLowerCase(), tenants.filter((t): t is string => typeof t === "string").map((t) => t.toLowerCase()));
  }
  return map;
}
