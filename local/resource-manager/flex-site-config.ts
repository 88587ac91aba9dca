// What Resource Manager refuses in a Flex Consumption site's siteConfig: error 51021, App Service's own error shape.
// The list is every property seen named in a 51021 refusal (microsoft/azure-pipelines-tasks#21032,
// Azure/terraform-azurerm-avm-res-web-site#283 and #345); the infra app's rules table checks the template against it too.
import { ArmError } from "./arm-errors";

/** siteConfig properties ARM refuses on Flex Consumption sites (camelCase, as a template writes them). */
export const FLEX_REFUSED_SITE_CONFIG = [
  "ftpsState",
  "use32BitWorkerProcess",
  "netFrameworkVersion",
  "functionsRuntimeScaleMonitoringEnabled",
  "linuxFxVersion",
  "windowsFxVersion",
  "alwaysOn",
] as const;

/** App Service answers a bad request with its own body (capitalised keys, an ErrorEntity with the extended code). */
export class AppServiceError extends ArmError {
  constructor(
    readonly extendedCode: string,
    readonly parameters: string[],
  ) {
    super(400, "BadRequest", `${parameters[0]} is invalid.  ${parameters[1]}`);
  }

  override get body() {
    const entity = { ExtendedCode: this.extendedCode, MessageTemplate: "{0} is invalid.  {1}", Parameters: this.parameters, Code: "BadRequest", Message: this.message };
    return { Code: "BadRequest", Message: this.message, Target: null, Details: [{ Message: this.message }, { Code: "BadRequest" }, { ErrorEntity: entity }], Innererror: null } as never;
  }
}

/** The refusal ARM gives a Flex site (one with functionAppConfig) whose siteConfig holds refused properties. */
export function flexSiteConfigRefusal(properties: { functionAppConfig?: unknown; siteConfig?: Record<string, unknown> } | undefined): AppServiceError | undefined {
  if (!properties?.functionAppConfig) return undefined;
  const refused = Object.keys(properties.siteConfig ?? {}).filter((k) => (FLEX_REFUSED_SITE_CONFIG as readonly string[]).includes(k));
  if (refused.length === 0) return undefined;
  const names = refused.map((k) => `Site.SiteConfig.${k[0]!.toUpperCase()}${k.slice(1)}`);
  const what = refused.length === 1 ? `The following site configuration property (${names[0]})` : `The following list of ${refused.length} site configuration properties (${names.join(", ")})`;
  return new AppServiceError("51021", [`${what} for Flex Consumption sites`, "Please remove or rename it before retrying."]);
}
