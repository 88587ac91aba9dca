// The human result of a rollout: one row per client, then what to do for each that failed.
import type { RolloutOutcome } from "./rollout-run";

export function rolloutTable(o: RolloutOutcome): string {
  if (o.dryRun) {
    return [`rollout (dry run): nothing was changed. ${o.clients.length} client(s) of ${o.config}. Plan:`, ...o.plan.map((s, i) => `  ${i + 1}. ${s}`)].join("\n");
  }
  const header = ["client", "tenant", "result", "enqueued", "pending", "failed", "lag min"];
  const rows = o.clients.map((c) => [
    c.key,
    c.tenantId,
    c.ok ? "onboarded" : `FAILED ${c.error?.code ?? ""}`.trim(),
    c.ok ? String(c.enqueued) : "-",
    c.ok ? String(c.pending) : "-",
    c.ok ? String(c.failed) : "-",
    c.ok ? String(c.lagMinutes ?? "-") : "-",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => "  " + cells.map((cell, i) => cell.padEnd(widths[i])).join("  ").trimEnd();
  const failed = o.clients.filter((c) => !c.ok);
  const lines = [
    `Rollout of ${o.config}: ${o.clients.length - failed.length} of ${o.clients.length} client(s) onboarded${o.deployment ? ` (deployment: ${o.deployment.where})` : ""}.`,
    line(header),
    ...rows.map(line),
  ];
  for (const c of failed) {
    lines.push("", `${c.key} (${c.tenantId}): ${c.error?.message}`);
    if (c.consentUrl) lines.push(`  admin-consent URL: ${c.consentUrl}`);
    lines.push(`  next: ${c.error?.next}`);
  }
  return lines.join("\n");
}
