// Where a JSON setting stops being JSON, told by position and field, never by content: JSON.parse's own message quotes
// the text around the error ("Unexpected token 'S', ..."ntSecret":S3cr3t"..."), which in AUDIT_LAKE_TENANTS can be a
// client secret, and a configuration error is logged by every trigger.

export interface JsonSyntaxError {
  line: number;
  column: number;
  /** The path of the value being read when the text stopped being JSON, e.g. `[0].credential.clientSecret`. */
  field: string;
}

class Stop extends Error {
  constructor(readonly at: number) {
    super("stop");
  }
}

/** Locates the first syntax error of `text` (undefined when it is valid JSON). */
export function locateJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  let i = 0;
  const path: string[] = [];
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i]!)) i++;
  };
  const fail = (): never => {
    throw new Stop(i);
  };
  const literal = (word: string) => (text.startsWith(word, i) ? (i += word.length) : fail());
  const string = (): string => {
    const start = ++i;
    while (i < text.length && text[i] !== '"') {
      if (text.charCodeAt(i) < 0x20) fail();
      if (text[i] === "\\") {
        i++;
        if (text[i] === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail();
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? "x")) fail();
      }
      i++;
    }
    if (i >= text.length) fail();
    return text.slice(start, i++);
  };
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m) fail();
    i += m![0].length;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      ws();
      if (text[i] === "}") return void i++;
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        path.push(`.${string()}`);
        ws();
        if (text[i] !== ":") fail();
        i++;
        value();
        ws();
        path.pop();
        if (text[i] === ",") i++;
        else if (text[i] === "}") return void i++;
        else fail();
      }
    }
    if (c === "[") {
      i++;
      ws();
      if (text[i] === "]") return void i++;
      for (let n = 0; ; n++) {
        path.push(`[${n}]`);
        value();
        ws();
        path.pop();
        if (text[i] === ",") i++;
        else if (text[i] === "]") return void i++;
        else fail();
      }
    }
    if (c === '"') return void string();
    if (c === "t") return void literal("true");
    if (c === "f") return void literal("false");
    if (c === "n") return void literal("null");
    number();
  };
  try {
    value();
    ws();
    if (i < text.length) fail();
    return undefined;
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
    const before = text.slice(0, Math.min(e.at, text.length));
    const lines = before.split("\n");
    return { line: lines.length, column: lines[lines.length - 1]!.length + 1, field: path.join("").replace(/^\./, "") || "(top level)" };
  }
}
