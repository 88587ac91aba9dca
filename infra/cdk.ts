// The CDK for Terraform framework is imported here only, so a move to CDK Terrain (cdktn) is a rename in this file
// (and `@cdktf/provider-` → `@cdktn/provider-` in the deep provider imports).
export { App, AzurermBackend, Fn, LocalBackend, TerraformOutput, TerraformStack, TerraformVariable, Testing, Token, type ITerraformDependable, type TerraformProvider } from "cdktf";
export { Construct } from "constructs";
