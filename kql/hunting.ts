// Hunting queries (kql/hunting/*.yaml) in the Azure-Sentinel content format: read, validated, typed — for the
// analysis, and for the infrastructure that deploys them as Sentinel saved searches.
import { readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { LineCounter, parseDocument, isMap, isScalar } from "yaml";
import { z } from "zod";
import { ENTERPRISE_TACTICS, SENTINEL_ENTITY_IDENTIFIERS, TECHNIQUE_ID } from "./attack";

export const HUNTING_DIR = join(__dirname, "hunting");

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const FieldMapping = z.object({ identifier: z.string().min(1), columnName: z.string().min(1) }).strict();

const EntityMapping = z
  .object({
    entityType: z.string().refine((t) => t in SENTINEL_ENTITY_IDENTIFIERS, {
      message: `entityType must be one of ${Object.keys(SENTINEL_ENTITY_IDENTIFIERS).join(", ")}`,
    }),
    // Sentinel accepts at most three identifiers per entity
    fieldMappings: z.array(FieldMapping).min(1).max(3),
  })
  .strict()
  .superRefine((m, ctx) => {
    const known = SENTINEL_ENTITY_IDENTIFIERS[m.entityType] ?? [];
    m.fieldMappings.forEach((f, i) => {
      if (known.length && !known.includes(f.identifier)) {
        ctx.addIssue({ code: "custom", path: ["fieldMappings", i, "identifier"], message: `${m.entityType} has no identifier '${f.identifier}' (known: ${known.join(", ")})` });
      }
    });
  });

export const HuntingQuerySchema = z
  .object({
    id: z.string().regex(GUID, "id must be a GUID"),
    name: z.string().min(1),
    description: z.string().min(1),
    requiredDataConnectors: z.array(z.object({ connectorId: z.string().min(1), dataTypes: z.array(z.string().min(1)).min(1) }).strict()),
    tactics: z.array(z.enum(ENTERPRISE_TACTICS, { message: `tactics must be ATT&CK Enterprise tactics: ${ENTERPRISE_TACTICS.join(", ")}` })).min(1),
    relevantTechniques: z.array(z.string().regex(TECHNIQUE_ID, "techniques look like T1114 or T1114.002")).min(1),
    query: z.string().min(1),
    // Sentinel allows up to ten entity mappings; a health query may map none
    entityMappings: z.array(EntityMapping).max(10),
    version: z.string().regex(/^\d+\.\d+\.\d+$/, "version must be semantic (1.0.0)"),
  })
  .strict();

export type HuntingQueryDefinition = z.infer<typeof HuntingQuerySchema>;

export interface HuntingQuery extends HuntingQueryDefinition {
  /** Path relative to the repository root. */
  path: string;
  /** 1-based line in the file where the query text starts (for diagnostics). */
  queryLine: number;
  /** Columns of indentation of the query block in the file. */
  queryIndent: number;
}

export interface HuntingProblem {
  line: number;
  column: number;
  code: string;
  message: string;
}

/** Parses and validates one hunting file; problems carry the line of the offending field. */
export function parseHuntingQuery(text: string, path: string): { query?: HuntingQuery; problems: HuntingProblem[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const at = (offset: number | undefined) => {
    const p = lineCounter.linePos(offset ?? 0);
    return { line: p.line, column: p.col };
  };
  if (doc.errors.length > 0) {
    return { problems: doc.errors.map((e) => ({ ...at(e.pos[0]), code: "YAML", message: e.message })) };
  }
  const result = HuntingQuerySchema.safeParse(doc.toJS());
  if (!result.success) {
    return {
      problems: result.error.issues.map((issue) => {
        const node = issue.path.length ? doc.getIn(issue.path.slice(0, 1), true) : undefined;
        const offset = node && typeof node === "object" && "range" in node ? (node as { range?: [number] }).range?.[0] : undefined;
        return { ...at(offset), code: "HUNTING-FIELD", message: `${issue.path.join(".") || "(file)"}: ${issue.message}` };
      }),
    };
  }
  let queryLine = 1;
  let queryIndent = 0;
  if (isMap(doc.contents)) {
    const node = doc.contents.get("query", true);
    if (isScalar(node) && node.range) {
      const start = at(node.range[0]);
      const block = node.type === "BLOCK_LITERAL" || node.type === "BLOCK_FOLDED";
      queryLine = block ? start.line + 1 : start.line;
      const firstLine = text.split(/\r?\n/)[queryLine - 1] ?? "";
      queryIndent = block ? firstLine.length - firstLine.trimStart().length : start.column - 1;
    }
  }
  return { query: { ...result.data, path, queryLine, queryIndent }, problems: [] };
}

/** Every hunting query under kql/hunting, validated; throws with the file and reasons when one is invalid. */
export function loadHuntingQueries(dir: string = HUNTING_DIR): HuntingQuery[] {
  const root = join(dir, "..", "..");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((f) => {
      const file = join(dir, f);
      const path = relative(root, file).split("\\").join("/");
      const { query, problems } = parseHuntingQuery(readFileSync(file, "utf8"), path);
      if (!query) throw new Error(`kql: hunting query ${path} is invalid: ${problems.map((p) => `line ${p.line}: ${p.message}`).join("; ")}. Run npm run kql:check.`);
      return query;
    });
}
