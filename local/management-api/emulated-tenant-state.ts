// Everything the emulator knows about one tenant at run time: its scenario (built on first use), catalogs,
// subscriptions, what it served and which notifications it sent.
import { ContentCatalog, type CatalogBlob } from "./content-catalog";
import type { FaultInjector } from "./faults";
import { buildTenantScenario, type TenantScenario } from "./scenario/index";
import type { TenantIdentity } from "./scenario/tenant-identity";
import { Subscription } from "./subscription";
import { CONTENT_TYPES, type ContentTypeName } from "./types";

export interface NotificationSent {
  contentType: string;
  contentId: string;
  contentUri: string;
  contentCreated: string;
  contentExpiration: string;
  notificationSent: string;
  notificationStatus: "Succeeded" | "Failed";
  createdMs: number;
}

export interface ScenarioSettings {
  seed: number;
  users: number;
  anchorMs: number;
  multiTenantApp: boolean;
  largeTenantRecords?: number;
}

export class EmulatedTenantState {
  private built: { scenario: TenantScenario; catalogs: Map<ContentTypeName, ContentCatalog> } | null = null;
  readonly subscriptions = new Map<ContentTypeName, Subscription>(CONTENT_TYPES.map((c) => [c, new Subscription(c)]));
  readonly served = new Map<ContentTypeName, Set<CatalogBlob>>(CONTENT_TYPES.map((c) => [c, new Set()]));
  readonly notifications = new Map<ContentTypeName, NotificationSent[]>(CONTENT_TYPES.map((c) => [c, []]));

  constructor(
    readonly identity: TenantIdentity,
    readonly auditLoggingDisabled: boolean,
    private readonly settings: ScenarioSettings,
    private readonly faults: FaultInjector,
  ) {}

  get isBuilt(): boolean {
    return this.built !== null;
  }

  /** The scenario is generated on first use: starting many tenants stays fast, and the result is the same either way. */
  private build() {
    if (!this.built) {
      const s = this.settings;
      const scenario = buildTenantScenario({
        seed: s.seed,
        index: this.identity.index,
        users: s.users,
        anchorMs: s.anchorMs,
        multiTenantApp: s.multiTenantApp,
        bulkRecords: this.identity.index === 0 ? s.largeTenantRecords : undefined,
      });
      const catalogs = new Map<ContentTypeName, ContentCatalog>();
      for (const c of CONTENT_TYPES) catalogs.set(c, new ContentCatalog(c, scenario.blobs[c], scenario.bulk, this.faults));
      this.built = { scenario, catalogs };
    }
    return this.built;
  }

  get scenario(): TenantScenario {
    return this.build().scenario;
  }

  catalog(contentType: ContentTypeName): ContentCatalog {
    return this.build().catalogs.get(contentType)!;
  }

  subscription(contentType: ContentTypeName): Subscription {
    return this.subscriptions.get(contentType)!;
  }
}
