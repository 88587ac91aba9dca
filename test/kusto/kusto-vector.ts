// test:kusto's vectors, grouped by kind: each vector in a fresh database, one line per vector, one summary line per kind
// and a final count.
import type { Client } from "azure-kusto-data";
import type { KustoTarget } from "./kusto-client";
import { inFreshDatabase, type FreshDatabaseOptions } from "./fresh-database";

export interface KustoVector {
  name: string;
  why: string;
  /** What is wrong with the engine's answer, or null when it is the expected one. */
  run: (client: Client, database: string) => Promise<string | null>;
}

export interface VectorKind {
  /** e.g. "IP key vectors" */
  label: string;
  /** what they go through, e.g. "NormalizedIp" */
  through: string;
  deploy?: FreshDatabaseOptions;
  vectors: KustoVector[];
}

export async function runKinds(target: KustoTarget, kinds: VectorKind[], write: (text: string) => void): Promise<{ passed: number; failed: number }> {
  let index = 0;
  let passed = 0;
  let failed = 0;
  for (const kind of kinds) {
    let kindFailed = 0;
    for (const v of kind.vectors) {
      let problem: string | null;
      try {
        problem = await inFreshDatabase(target, index++, (database) => v.run(target.client, database), kind.deploy);
      } catch (e) {
        problem = `the engine refused: ${(e as Error).message}`;
      }
      write(`${problem ? "FAIL" : "ok  "}  ${v.name}: ${v.why}\n${problem ? `      ${problem}\n` : ""}`);
      if (problem) kindFailed++;
    }
    write(`test:kusto: ${kind.vectors.length - kindFailed} of ${kind.vectors.length} ${kind.label} pass through ${kind.through}\n`);
    passed += kind.vectors.length - kindFailed;
    failed += kindFailed;
  }
  write(`test:kusto: ${passed} passed, ${failed} failed\n`);
  return { passed, failed };
}
