// A provider package imported from its root loads all of its generated bindings: tsc becomes 3-4x slower and a
// jest run 27 s / 1.8 GB instead of ~3 s. Every import must name the resource's deep path (…/lib/<resource>).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const ROOT = join(__dirname, "..", "..");
const FOLDERS = ["infra", "test", "functions", "cli", "local", "kql"];
// The package root, or its lib/ index, by import, export-from, require or dynamic import.
const ROOT_IMPORT = /(?:from\s+|require\(\s*|import\(\s*|import\s+)["'](@cdktf\/provider-[a-z0-9-]+)(?:\/lib)?\/?["']/g;

export function rootProviderImports(source: string): string[] {
  return [...source.matchAll(ROOT_IMPORT)].map((m) => m[0]);
}

function sourceFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    if (name === "node_modules" || name === "dist" || name === "cdktf.out" || name.startsWith(".")) return [];
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|js|mjs|cjs)$/.test(name) ? [path] : [];
  });
}

test("the check recognises every way of importing a provider from its root", () => {
  expect(rootProviderImports(`import { KustoCluster } from "@cdktf/provider-azurerm";`)).toHaveLength(1);
  expect(rootProviderImports(`import * as azuread from '@cdktf/provider-azuread/lib';`)).toHaveLength(1);
  expect(rootProviderImports(`const p = require("@cdktf/provider-azurerm");`)).toHaveLength(1);
  expect(rootProviderImports(`export * from "@cdktf/provider-azurerm";`)).toHaveLength(1);
  expect(rootProviderImports(`import { KustoCluster } from "@cdktf/provider-azurerm/lib/kusto-cluster";`)).toHaveLength(0);
});

test("no file imports a provider package from its root", () => {
  // This file holds root imports as samples for the check above.
  const files = FOLDERS.flatMap((f) => sourceFiles(join(ROOT, f))).filter((f) => f !== __filename);
  expect(files.length).toBeGreaterThan(20);
  const offenders = files.flatMap((file) => rootProviderImports(readFileSync(file, "utf8")).map((i) => `${relative(ROOT, file)}: ${i}`));
  expect(offenders).toEqual([]);
});
