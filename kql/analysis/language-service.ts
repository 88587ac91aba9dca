// Microsoft's Kusto.Language parser and semantic analyser (@kusto/language-service-next), loaded once per process:
// bridge.js defines the global `Bridge` runtime, Kusto.Language.Bridge.js then defines the global `Kusto`.
import { createRequire } from "node:module";
import { runInThisContext } from "node:vm";

// Only the few members this project uses are typed here (the package's own .d.ts is 1.7 MB of globals).

/** A .NET list as the Bridge.NET runtime exposes it. */
export interface DotNetList<T> {
  Count: number;
  getItem(index: number): T;
}

export interface LsDiagnostic {
  Severity: string; // "Error" | "Warning" | "Suggestion" | "Information"
  Code: string;
  Message: string;
  Start: number;
  Length: number;
}

export interface LsColumn {
  Name: string;
  Type: { Name: string };
}

export interface LsSymbol {
  Name: string;
  Kind: number;
  Columns?: DotNetList<LsColumn> | null;
}

export interface LsCode {
  ResultType: LsSymbol | null;
  GetDiagnostics(): DotNetList<LsDiagnostic>;
}

/** The opaque handles the analysis passes around: symbols and global state. */
export type LsGlobals = { readonly __brand: "GlobalState" };
export type LsMember = { readonly __brand: "Symbol" };

export interface KustoLanguage {
  table(name: string, columns: string): LsMember;
  materializedView(name: string, columns: string, query: string, description: string): LsMember;
  func(name: string, parameters: string, body: string, description: string): LsMember;
  globals(database: string, members: LsMember[]): LsGlobals;
  analyse(text: string, globals: LsGlobals): LsCode;
  /** The analysers' findings (join without kind, called function has errors, ...): warnings and suggestions. */
  analyserDiagnostics(code: LsCode): DotNetList<LsDiagnostic>;
}

let loaded: KustoLanguage | undefined;

/** The language service, loaded on first use (about a second and ~150 MB); later calls reuse it. */
export function kustoLanguage(): KustoLanguage {
  if (loaded) return loaded;
  // Load it in Node's main context, not a test runner's: jest runs modules in a vm context whose global lookups are
  // slow, and this runtime does little else (the analysis ran 2.5x slower there). jest also replaces createRequire,
  // so the real one comes from the main context's process.
  const main = runInThisContext("globalThis") as typeof globalThis;
  const mainModule = main.process.getBuiltinModule?.("node:module") as typeof import("node:module") | undefined;
  const nodeRequire = (mainModule?.createRequire ?? createRequire)(__filename);
  const bridge = nodeRequire(nodeRequire.resolve("@kusto/language-service-next/bridge.js")) as { global?: { Kusto?: { Language: any }; Array: ArrayConstructor } };
  if (!bridge.global?.Kusto) nodeRequire(nodeRequire.resolve("@kusto/language-service-next/Kusto.Language.Bridge.js"));
  const realm = bridge.global;
  if (!realm?.Kusto) throw new Error("kql: @kusto/language-service-next did not define Kusto; is the package installed (npm ls @kusto/language-service-next)?");
  const K = realm.Kusto.Language;
  const S = K.Symbols;
  // arrays handed to the runtime are made in its own realm, so its array checks hold
  const own = <T>(items: T[]): T[] => realm.Array.from(items) as T[];
  loaded = {
    table: (name, columns) => S.TableSymbol.From(columns).WithName(name),
    materializedView: (name, columns, query, description) => new S.MaterializedViewSymbol.$ctor3(name, columns, query, description),
    func: (name, parameters, body, description) => new S.FunctionSymbol.$ctor16(name, parameters, body, description),
    globals: (database, members) => K.GlobalState.Default.WithDatabase(new S.DatabaseSymbol.ctor(database, own(members))),
    analyse: (text, globals) => K.KustoCode.ParseAndAnalyze(text, globals),
    analyserDiagnostics: (code) => new K.Editor.KustoCodeService.ctor(code).GetAnalyzerDiagnostics(true),
  };
  return loaded;
}

export function toArray<T>(list: DotNetList<T> | null | undefined): T[] {
  const out: T[] = [];
  if (!list) return out;
  for (let i = 0; i < list.Count; i++) out.push(list.getItem(i));
  return out;
}
