import { AdxIngestionError } from "./errors";

/** A compiled JSON mapping path: returns the value at the path, or undefined when any step is missing. */
export type PathGetter = (record: unknown) => unknown;

type Step = string | number;

/**
 * Compiles the JSONPath subset ADX ingestion mappings accept: `$` (the whole record), `$.a.b`, `$['odd name']`,
 * `$["x"]`, `$.a[0]`.
 */
export function compilePath(path: string): PathGetter {
  const steps = parseSteps(path);
  return (record) => {
    let current: unknown = record;
    for (const step of steps) {
      if (current === null || typeof current !== "object") return undefined;
      if (typeof step === "number") {
        if (!Array.isArray(current)) return undefined;
        current = current[step];
      } else {
        if (Array.isArray(current) || !Object.prototype.hasOwnProperty.call(current, step)) return undefined;
        current = (current as Record<string, unknown>)[step];
      }
    }
    return current;
  };
}

function parseSteps(path: string): Step[] {
  const invalid = (why: string) =>
    new AdxIngestionError("BadRequest_InvalidMapping", `Mapping path '${path}' is not valid: ${why}. Use $.field, $['field name'] or $.field[0].`);
  if (!path.startsWith("$")) throw invalid("it must start with $");
  const steps: Step[] = [];
  let i = 1;
  while (i < path.length) {
    const c = path[i];
    if (c === ".") {
      const m = /^[^.[\]]+/.exec(path.slice(i + 1));
      if (!m) throw invalid(`empty name at position ${i}`);
      steps.push(m[0]);
      i += 1 + m[0].length;
    } else if (c === "[") {
      const rest = path.slice(i);
      const quoted = /^\[\s*(['"])((?:\\.|(?!\1).)*)\1\s*\]/.exec(rest);
      const index = /^\[\s*(\d+)\s*\]/.exec(rest);
      if (quoted) {
        steps.push(quoted[2].replace(/\\(.)/g, "$1"));
        i += quoted[0].length;
      } else if (index) {
        steps.push(Number(index[1]));
        i += index[0].length;
      } else {
        throw invalid(`unreadable bracket at position ${i}`);
      }
    } else {
      throw invalid(`unexpected '${c}' at position ${i}`);
    }
  }
  return steps;
}
