// The CDKTF app: one platform stack and one stack per tenant, composed from a loaded deployment config.
import { App } from "./cdk";
import type { DeploymentConfig } from "./config/load";
import { PlatformStack } from "./stacks/platform-stack";
import { TenantStack } from "./stacks/tenant-stack";

export function buildApp(config: DeploymentConfig, outdir: string): { app: App; platform: PlatformStack; tenants: TenantStack[] } {
  const app = new App({ outdir });
  const platform = new PlatformStack(app, config);
  const tenants = config.tenants.map((t) => new TenantStack(app, config, t));
  return { app, platform, tenants };
}
