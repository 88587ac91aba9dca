// Where a stack keeps its state: each stack its own key, so stacks deploy independently.
import { join } from "node:path";
import { AzurermBackend, LocalBackend, type TerraformStack } from "../cdk";
import type { PlatformConfig } from "../config/schema";

export function useStateBackend(stack: TerraformStack, platform: PlatformConfig, stackName: string): void {
  const state = platform.state;
  if (state.backend === "local") {
    // Relative to the stack's folder (cdktf.out/stacks/<stack>), where terraform -chdir runs.
    new LocalBackend(stack, { path: state.directory ? join(state.directory, `${stackName}.tfstate`) : "terraform.tfstate" });
    return;
  }
  new AzurermBackend(stack, {
    resourceGroupName: state.resourceGroup,
    storageAccountName: state.storageAccount,
    containerName: state.container,
    key: `${stackName}.tfstate`,
    subscriptionId: state.subscriptionId ?? platform.subscriptionId,
    tenantId: platform.tenantId,
    environment: platform.azureCloud,
    // The state account has shared keys off too.
    useAzureadAuth: true,
  });
}
