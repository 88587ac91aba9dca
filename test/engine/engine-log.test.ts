// Engine log lines as the Functions host receives them: a readable message plus one object of named fields, which the
// host's util.format (and so Application Insights' message) renders as one line of JSON.
import { InvocationContext, type LogLevel } from "@azure/functions";
import { format } from "node:util";
import { fieldsArgument } from "../../functions/src/log-line";
import { PipelineLog, pipelineLog } from "../../functions/src/use-cases/engine-log";

function capturingContext(): { context: InvocationContext; calls: Array<{ level: LogLevel; args: unknown[] }> } {
  const calls: Array<{ level: LogLevel; args: unknown[] }> = [];
  const context = new InvocationContext({ functionName: "ingestContent", logHandler: (level, ...args) => calls.push({ level, args }) });
  return { context, calls };
}

test("a use case's line reaches the InvocationContext as the message and one object of its named fields", () => {
  const { context, calls } = capturingContext();
  const log = new PipelineLog(context);
  const contentId = "20240314070051748005825$abc$audit_general$Audit_General$emea0036";
  log.error("ingest t1 Audit.General x: quarantined [HostNotAllowed]", { tenant: "t1", contentType: "Audit.General", contentId, stage: "ingest", outcome: "quarantined", code: "HostNotAllowed", attempt: 2 });

  expect(calls).toHaveLength(1);
  const [{ level, args }] = calls;
  expect(level).toBe("error");
  expect(args[0]).toBe("ingest t1 Audit.General x: quarantined [HostNotAllowed]");
  expect({ ...(args[1] as object) }).toEqual({ tenant: "t1", contentType: "Audit.General", contentId, stage: "ingest", outcome: "quarantined", code: "HostNotAllowed", attempt: 2 });
});

test("formatted as the host formats it, the line is the message and the fields as single-line JSON, without undefined fields", () => {
  const fields = { tenant: "t1", contentType: "Audit.Exchange", contentId: "c".repeat(120), stage: "fetch", outcome: "requeued", code: undefined, attempt: 1 };
  const line = format("re-queued alone", fieldsArgument(fields));
  expect(line).not.toContain("\n");
  const at = line.indexOf("{");
  expect(line.slice(0, at)).toBe("re-queued alone ");
  expect(JSON.parse(line.slice(at))).toEqual({ tenant: "t1", contentType: "Audit.Exchange", contentId: "c".repeat(120), stage: "fetch", outcome: "requeued", attempt: 1 });
  expect(String(fieldsArgument(fields))).toBe(line.slice(at));
});

test("a log already wrapped is not wrapped twice: the host still receives exactly two arguments", () => {
  const { context, calls } = capturingContext();
  const once = pipelineLog(context);
  expect(pipelineLog(once)).toBe(once);
  pipelineLog(once).info("planned", { stage: "plan", outcome: "planned" });
  expect(calls.map((c) => c.args.length)).toEqual([2]);
});
