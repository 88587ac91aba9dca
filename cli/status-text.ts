// The human form of `status`: one block per tenant (access, fixes, a row per content type), back-fills, records.
import type { StatusResult } from "./status";

export function renderStatus(r: StatusResult): string {
  const lines = [`m365-audit-lake status of ${r.app} at ${r.checkedAt}: ${r.health}`];
  for (const t of r.tenants) {
    const a = t.access;
    lines.push("", `tenant ${t.tenantId} (${a.cloud}): ${t.ready ? "ready" : "NOT READY"}`);
    const enabled = a.subscriptions.filter((s) => s.status === "enabled").length;
    lines.push(
      a.token.ok
        ? `  access      token ok, roles ${a.token.roles.join(", ") || "none"}; subscriptions ${enabled}/${a.subscriptions.length} enabled`
        : `  access      no token: [${a.token.code}] ${a.token.message}`,
    );
    if (a.lastPlanError) lines.push(`  last plan error ${a.lastPlanError.at} ${a.lastPlanError.contentType}: ${clip(a.lastPlanError.message)}`);
    for (const fix of t.fixes) {
      lines.push(`  fix [${fix.code}] ${fix.problem}`, `      ${fix.fix}`);
      if (fix.consentUrl) lines.push(`      admin consent: ${fix.consentUrl}`);
    }
    if (t.contentTypes.length) {
      const shown = new Set<string>();
      lines.push(`  ${"content type".padEnd(28)}${"health".padEnd(11)}${"lag".padEnd(10)}${"landed".padEnd(9)}${"pending".padEnd(9)}${"failed".padEnd(8)}expiring`);
      for (const c of t.contentTypes) {
        const lag = c.lagMinutes === null ? "never" : c.lagMinutes < 120 ? `${c.lagMinutes} min` : `${Math.round(c.lagMinutes / 60)} h`;
        lines.push(`  ${c.contentType.padEnd(28)}${c.status.padEnd(11)}${lag.padEnd(10)}${String(c.landed).padEnd(9)}${String(c.pending).padEnd(9)}${String(c.failed).padEnd(8)}${c.expiring}`);
        // one tenant-wide cause (no token) shows under every content type: print each problem once
        for (const p of c.problems.map(clip)) if (!shown.has(sameProblem(p)) && shown.add(sameProblem(p))) lines.push(`      ${p}`);
      }
    }
  }
  lines.push("");
  if (!r.backfills || r.backfills.length === 0) lines.push("back-fills   none running");
  else for (const j of r.backfills) lines.push(`back-fill ${j.id} ${j.tenantId} ${j.from} → ${j.to}: ${j.state}${j.intervals ? `, ${j.intervals.done}/${j.intervals.total} intervals` : ""}`);
  if (!r.activity) lines.push("records      pass --local <data dir> or --cluster <url> --database <db> to count the last day's records per operation");
  else {
    lines.push(`records per workload × operation since ${r.activity.since} (${r.activity.where}):`);
    if (r.activity.operations.length === 0) lines.push("  none: nothing landed in the last day (auditing off, licence, or ingestion lag?)");
    for (const op of r.activity.operations) lines.push(`  ${op.workload.padEnd(24)}${op.operation.padEnd(36)}${op.records}`);
  }
  return lines.join("\n");
}

function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

/** Problems that differ only in the trace ids and times the services put in them are the same problem. */
function sameProblem(text: string): string {
  return text.replace(/[0-9a-f]{8}-[0-9a-f-]{27}|\d{4}-\d{2}-\d{2}[ T][\d:.]+Z?/gi, "");
}
