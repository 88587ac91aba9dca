// One tenant's ADX database: retention and hot cache, the kql/ assets as one Kusto script (re-run when its content
// hash changes), Ingestor for the Function's identity, Viewer for the tenant's analysts group — and no Admin anywhere.
import { createHash } from "node:crypto";
import { KustoDatabase } from "@cdktf/provider-azurerm/lib/kusto-database";
import { KustoDatabasePrincipalAssignment } from "@cdktf/provider-azurerm/lib/kusto-database-principal-assignment";
import { KustoScript } from "@cdktf/provider-azurerm/lib/kusto-script";
import { Construct, type TerraformProvider } from "../cdk";

export interface TenantDatabaseProps {
  name: string;
  clusterName: string;
  resourceGroupName: string;
  location: string;
  retentionDays: number;
  hotCacheDays: number;
  /** The rendered deployment script (kql/scripts.ts deploymentScript). */
  script: string;
  /** The Function's identity: its client (application) id and tenant, granted Ingestor. */
  ingestor: { clientId: string; tenantId: string };
  /** The tenant's analysts group, granted Viewer on this database only. */
  analysts?: { objectId: string; tenantId: string };
  /** The provider of the cluster's subscription. */
  provider?: TerraformProvider;
}

export const scriptHash = (script: string) => createHash("sha256").update(script).digest("hex");

/** Principal assignment names allow letters, digits, spaces, dots and dashes only (azurerm's kusto validate/name.go): no `_`. */
export const principalAssignmentName = (database: string, what: string) => `${database.replace(/_/g, "-")}-${what}`;

export class TenantDatabase extends Construct {
  readonly database: KustoDatabase;
  readonly script: KustoScript;

  constructor(scope: Construct, id: string, props: TenantDatabaseProps) {
    super(scope, id);
    this.database = new KustoDatabase(this, "database", {
      provider: props.provider,
      name: props.name,
      clusterName: props.clusterName,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      softDeletePeriod: `P${props.retentionDays}D`,
      hotCachePeriod: `P${props.hotCacheDays}D`,
    });
    this.script = new KustoScript(this, "kql", {
      provider: props.provider,
      name: `${props.name}-kql`,
      databaseId: this.database.id,
      scriptContent: props.script,
      // A changed script (new column, new function) must run again; the same script must not.
      forceAnUpdateWhenValueChanged: scriptHash(props.script),
      continueOnErrorsEnabled: false,
    });
    new KustoDatabasePrincipalAssignment(this, "ingestor", {
      provider: props.provider,
      name: principalAssignmentName(props.name, "function-ingestor"),
      clusterName: props.clusterName,
      databaseName: this.database.name,
      resourceGroupName: props.resourceGroupName,
      principalId: props.ingestor.clientId,
      principalType: "App",
      tenantId: props.ingestor.tenantId,
      role: "Ingestor",
    });
    if (props.analysts) {
      new KustoDatabasePrincipalAssignment(this, "analysts", {
        provider: props.provider,
        name: principalAssignmentName(props.name, "analysts-viewer"),
        clusterName: props.clusterName,
        databaseName: this.database.name,
        resourceGroupName: props.resourceGroupName,
        principalId: props.analysts.objectId,
        principalType: "Group",
        tenantId: props.analysts.tenantId,
        role: "Viewer",
      });
    }
  }
}
