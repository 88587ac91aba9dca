/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  setupFilesAfterEnv: ["<rootDir>/test/infra/cdktf-matchers.setup.ts"],
  globalSetup: "<rootDir>/test/setup/mint-run-tls.ts",
  globalTeardown: "<rootDir>/test/setup/remove-run-tls.ts",
  transform: {
    // The Kusto SDKs ship ESM only; swc turns them (and our TypeScript) into CommonJS for jest.
    "^.+\\.(t|j|mj)s$": ["@swc/jest", { jsc: { target: "es2022" }, module: { type: "commonjs" } }],
  },
  transformIgnorePatterns: ["/node_modules/(?!(azure-kusto-ingest|azure-kusto-data)/)"],
  testTimeout: 60000,
  // Jest's default is one worker fewer than the cores: on a 2-core machine that is one, and every suite then runs in band,
  // one after the other. Most suites wait on emulators, child processes and timers rather than compute, so two overlap well.
  maxWorkers: 2,
};
