// jest globalSetup: one CA and server certificate for the whole test run, minted before the workers start (they inherit
// the environment), so the emulators of every suite share it instead of minting two RSA keys each.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mintLocalTls, RUN_TLS_ENV } from "../../local/tls";

export default async function mintRunTls(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "m365-run-tls-"));
  const { caPem, certPem, keyPem } = await mintLocalTls(join(dir, "ca.pem"));
  const file = join(dir, "tls.json");
  writeFileSync(file, JSON.stringify({ caPem, certPem, keyPem }), { mode: 0o600 }); // holds the server's private key
  process.env[RUN_TLS_ENV] = file;
}
