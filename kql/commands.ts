// Control commands inside a .kql script: where each starts, what kind it is, and the parts the analysis and the
// deployment need (function name, parameters and body; materialized-view query; update-policy queries).
// A command starts at a line whose first character is '.', the convention every script in kql/ follows.

export interface ScriptCommand {
  /** The command text, comment lines included (the Kusto parser ignores them). */
  text: string;
  /** 1-based line of the command's first line in its script. */
  line: number;
}

export type CommandInfo =
  | { kind: "table"; table: string }
  | { kind: "mapping"; table: string; mapping: string }
  | { kind: "policy"; entity: string; policy: string }
  | { kind: "materialized-view"; name: string; source: string; query: string; queryOffset: number }
  | { kind: "function"; name: string; parameters: string; body: string; bodyOffset: number; docstring?: string; folder?: string }
  | { kind: "update-policy"; table: string; queries: string[] }
  | { kind: "other" };

/** Splits a script into commands, keeping each command's line so diagnostics point into the file. */
export function scriptCommands(script: string): ScriptCommand[] {
  const lines = script.split(/\r?\n/);
  const commands: ScriptCommand[] = [];
  let current: { lines: string[]; line: number } | undefined;
  const flush = () => {
    if (!current) return;
    // trailing comment and blank lines belong to the next command's preamble, not to this one
    while (current.lines.length > 1 && /^\s*(\/\/.*)?$/.test(current.lines[current.lines.length - 1])) current.lines.pop();
    commands.push({ text: current.lines.join("\n"), line: current.line });
  };
  lines.forEach((line, i) => {
    if (line.startsWith(".")) {
      flush();
      current = { lines: [line], line: i + 1 };
    } else if (current) {
      current.lines.push(line);
    }
  });
  flush();
  return commands;
}

/** The commands of a script with comment lines removed, as a deployment sends them (one blank line apart). */
export function deployableCommands(script: string): string[] {
  return scriptCommands(script).map((c) =>
    c.text
      .split("\n")
      .filter((l) => !/^\s*\/\//.test(l))
      .join("\n")
      .trim(),
  );
}

/**
 * Index just past the bracket that closes the one at `open`, skipping string literals and comments
 * (a docstring or a comment may hold brackets and quotes of its own). -1 when unbalanced.
 */
export function closingBracket(text: string, open: number): number {
  const pairs: Record<string, string> = { "(": ")", "{": "}", "[": "]" };
  const stack: string[] = [];
  let i = open;
  while (i < text.length) {
    const c = text[i];
    if (c === "/" && text[i + 1] === "/") {
      const eol = text.indexOf("\n", i);
      i = eol < 0 ? text.length : eol;
      continue;
    }
    if (text.startsWith("```", i)) {
      const end = text.indexOf("```", i + 3);
      if (end < 0) return -1;
      i = end + 3;
      continue;
    }
    if (c === "'" || c === '"') {
      const verbatim = text[i - 1] === "@";
      i = stringEnd(text, i, verbatim);
      if (i < 0) return -1;
      continue;
    }
    if (pairs[c]) stack.push(pairs[c]);
    else if (c === ")" || c === "}" || c === "]") {
      if (stack.pop() !== c) return -1;
      if (stack.length === 0) return i + 1;
    }
    i++;
  }
  return -1;
}

function stringEnd(text: string, start: number, verbatim: boolean): number {
  const quote = text[start];
  let i = start + 1;
  while (i < text.length) {
    const c = text[i];
    if (!verbatim && c === "\\") {
      i += 2;
      continue;
    }
    if (c === quote) {
      if (verbatim && text[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    if (c === "\n" && !verbatim) return -1;
    i++;
  }
  return -1;
}

const IDENT = String.raw`[A-Za-z_][\w]*`;

function withProperties(text: string, from: number): { end: number; props: Record<string, string> } {
  const m = /^\s*with\s*\(/i.exec(text.slice(from));
  if (!m) return { end: from, props: {} };
  const open = from + m[0].length - 1;
  const close = closingBracket(text, open);
  if (close < 0) return { end: from, props: {} };
  const props: Record<string, string> = {};
  const inner = text.slice(open + 1, close - 1);
  const prop = /(\w+)\s*=\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|([^,\s]+))/g;
  for (let p = prop.exec(inner); p; p = prop.exec(inner)) props[p[1].toLowerCase()] = p[2] ?? p[3] ?? p[4];
  return { end: close, props };
}

/** What a command does, and the embedded queries that need their own analysis. */
export function describeCommand(text: string): CommandInfo {
  let m = new RegExp(String.raw`^\.(?:create-or-alter|create|alter)\s+function\b`, "i").exec(text);
  if (m) {
    const { end, props } = withProperties(text, m[0].length);
    const head = new RegExp(String.raw`^\s*(${IDENT})\s*\(`).exec(text.slice(end));
    if (!head) return { kind: "other" };
    const paramsOpen = end + head[0].length - 1;
    const paramsClose = closingBracket(text, paramsOpen);
    const bodyOpen = text.indexOf("{", paramsClose);
    const bodyClose = bodyOpen < 0 ? -1 : closingBracket(text, bodyOpen);
    if (paramsClose < 0 || bodyClose < 0) return { kind: "other" };
    return {
      kind: "function",
      name: head[1],
      parameters: text.slice(paramsOpen, paramsClose),
      body: text.slice(bodyOpen, bodyClose),
      bodyOffset: bodyOpen,
      docstring: props.docstring,
      folder: props.folder,
    };
  }
  m = new RegExp(String.raw`^\.(?:create-or-alter|create|alter)(?:\s+async)?(?:\s+ifnotexists)?\s+materialized-view\b`, "i").exec(text);
  if (m) {
    const { end } = withProperties(text, m[0].length);
    // `.alter materialized-view V policy ...` shares the prefix; only a definition has `on table T { query }`
    const head = new RegExp(String.raw`^\s*(${IDENT})\s+on\s+table\s+(${IDENT})\s*\{`, "i").exec(text.slice(end));
    const open = head ? end + head[0].length - 1 : -1;
    const close = head ? closingBracket(text, open) : -1;
    if (head && close > 0) {
      return { kind: "materialized-view", name: head[1], source: head[2], query: text.slice(open + 1, close - 1), queryOffset: open + 1 };
    }
  }
  m = new RegExp(String.raw`^\.(?:alter|alter-merge)\s+table\s+(${IDENT})\s+policy\s+update\s+(@?)('|")`, "i").exec(text);
  if (m) {
    const start = m[0].length - 1;
    const end = stringEnd(text, start, m[2] === "@");
    const literal = end < 0 ? "" : text.slice(start + 1, end - 1);
    const json = m[2] === "@" ? literal.split(m[3] + m[3]).join(m[3]) : literal.replace(/\\(.)/g, "$1");
    let queries: string[] = [];
    try {
      const parsed = JSON.parse(json) as Array<{ Query?: unknown }>;
      queries = parsed.map((p) => (typeof p.Query === "string" ? p.Query : ""));
    } catch {
      queries = [""];
    }
    return { kind: "update-policy", table: m[1], queries };
  }
  m = new RegExp(String.raw`^\.(?:create-merge|create|create-or-alter|alter|alter-merge)\s+table\s+(${IDENT})\s+ingestion\s+json\s+mapping\s+['"]([^'"]+)['"]`, "i").exec(text);
  if (m) return { kind: "mapping", table: m[1], mapping: m[2] };
  m = new RegExp(String.raw`^\.(?:create-merge|create|create-or-alter)\s+table\s+(${IDENT})\s*\(`, "i").exec(text);
  if (m) return { kind: "table", table: m[1] };
  m = new RegExp(String.raw`^\.(?:alter|alter-merge)\s+(?:table|materialized-view|database|column)\s+(${IDENT}(?:\.${IDENT})?)\s+policy\s+(\w+)`, "i").exec(text);
  if (m) return { kind: "policy", entity: m[1], policy: m[2].toLowerCase() };
  return { kind: "other" };
}
