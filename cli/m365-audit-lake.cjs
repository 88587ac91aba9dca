#!/usr/bin/env node
// The `m365-audit-lake` bin: the CLI ships as TypeScript and runs through tsx's CommonJS hook (Node >= 20.19 loads
// the ESM-only Kusto SDKs through require).
require("tsx/cjs/api").register();
require("./main.ts").main();
