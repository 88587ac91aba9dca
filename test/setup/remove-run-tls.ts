// jest globalTeardown: the run's TLS material (a private key among it) does not outlive the run.
import { rmSync } from "node:fs";
import { dirname } from "node:path";
import { RUN_TLS_ENV } from "../../local/tls";

export default function removeRunTls(): void {
  const file = process.env[RUN_TLS_ENV];
  if (file) rmSync(dirname(file), { recursive: true, force: true });
  delete process.env[RUN_TLS_ENV];
}
