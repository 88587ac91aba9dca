// What onboarding reads from and asks of the Function App, as the admin API answers it (see the admin contract):
// tenant access, a plan run now, and health. The shapes are the JSON the app sends; only the fields read here.
export interface TenantAccessView {
  tenantId: string;
  cloud: string;
  /** The app (client) id a client tenant's admin consents to; null for the platform's own managed identity. */
  clientId?: string | null;
  token: { ok: true; roles: string[] } | { ok: false; code: string; message: string };
  missingRoles: string[];
  subscriptions: Array<{ contentType: string; status: "enabled" | "disabled" | "none" | "unknown"; error?: { code: string; message: string } }>;
  lastPlanError: { at: string; contentType: string; message: string } | null;
  ready: boolean;
  advice: string[];
}

export interface PlanRunResult {
  tenantId: string;
  contentType: string;
  enqueued: number;
  error?: { code: string; message: string };
}

export interface ContentTypeHealthView {
  tenantId: string;
  contentType: string;
  status: string;
  problems: string[];
  listedThrough: string | null;
  lagMinutes: number | null;
  lastIngestedAt: string | null;
  pending: number;
  failed: number;
  expiring: number;
}

export interface OnboardingApp {
  tenantAccess(tenantId: string): Promise<TenantAccessView>;
  plan(tenantId: string): Promise<PlanRunResult[]>;
  health(): Promise<{ status: string; generatedAt: string; tenants: ContentTypeHealthView[] }>;
}
