// jest setupFilesAfterEnv: registers the cdktf matchers (toHaveResourceWithProperties, toBeValidTerraform…); the
// adapter import in a test only adds their types. Loaded for test/infra only, so other suites skip cdktf's load time.
if (/[\\/]test[\\/]infra[\\/]/.test(expect.getState().testPath ?? "")) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require("../../infra/cdk") as typeof import("../../infra/cdk")).Testing.setupJest();
}
