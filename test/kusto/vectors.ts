// npm run test:kusto: kql/ on a real Kusto engine, rows of our tables ingested through their production JSON mappings.
//   landing vectors:         per table, a row with every mapped column set goes in through `<table>_json` and must come
//                            back unchanged from the table's dedup view (landing-vectors.ts)
//   scope vectors:           test/vectors/*.json, mail-access rows and sign-ins in, MailAccessScope out (scope-vectors.ts)
//   IP key vectors:          test/vectors/ip-keys/, spellings through NormalizedIp (ip-key-vectors.ts)
//   audit ClientIP vectors:  test/vectors/audit-client-ip/, records through the transform, filtered on
//                            NormalizedIp(ClientIP) (audit-client-ip-vectors.ts)
//   EmailEvents vectors:     test/vectors/email-events/, through MailAccessWithEmailEvents (email-events-vectors.ts)
//   footprint vectors:       test/vectors/footprint/, through AttackerFootprint (footprint-vectors.ts)
// Each vector gets a database of its own (fresh-database.ts), so no view materialization of an earlier vector can race
// a later one.
// Endpoints: the Kusto emulator container (docker run mcr.microsoft.com/azuredataexplorer/kustainer-linux:stable) or a
// dev cluster. No Kusto engine runs on the development machines, so without KUSTO_TEST_ENDPOINT it says so and exits 0.
//   KUSTO_TEST_ENDPOINT  http://localhost:8080 (emulator, no auth) or https://<cluster>.<region>.kusto.windows.net
//   KUSTO_TEST_DATABASE  cluster only (ADX creates databases through Resource Manager, not commands): a database this
//                        run may empty; each vector drops and recreates the tables, views and functions in it
import { auditClientIpKind } from "./audit-client-ip-vectors";
import { emailEventsKind } from "./email-events-vectors";
import { footprintKind } from "./footprint-vectors";
import { ipKeyKind } from "./ip-key-vectors";
import { kustoTarget } from "./kusto-client";
import { runKinds } from "./kusto-vector";
import { landingKind } from "./landing-vectors";
import { scopeKind } from "./scope-vectors";

async function main(): Promise<number> {
  const endpoint = process.env.KUSTO_TEST_ENDPOINT;
  if (!endpoint) {
    process.stdout.write(
      "test:kusto skipped: KUSTO_TEST_ENDPOINT is not set, and no Kusto engine runs on this machine. Set it to the Kusto emulator " +
        "container (e.g. http://localhost:8080) or a dev cluster URL (then KUSTO_TEST_DATABASE to a database this run may empty).\n",
    );
    return 0;
  }
  const target = kustoTarget(endpoint);
  if (!target.canCreateDatabases && !process.env.KUSTO_TEST_DATABASE) throw new Error("against a cluster, set KUSTO_TEST_DATABASE to a database this run may empty");
  try {
    const kinds = [landingKind(), scopeKind(), ipKeyKind(), auditClientIpKind(), emailEventsKind(), footprintKind()];
    const { failed } = await runKinds(target, kinds, (text) => process.stdout.write(text));
    return failed === 0 ? 0 : 1;
  } finally {
    target.client.close();
  }
}

main().then(
  (code) => process.exit(code),
  (e: Error) => {
    process.stderr.write(`test:kusto: ${e.message}\n`);
    process.exit(1);
  },
);
