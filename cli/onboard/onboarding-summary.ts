// The human text of an onboarding's outcome: what changed, and the tenant's health per content type.
import type { ContentTypeHealthView } from "./onboarding-app";
import type { OnboardOutcome } from "./onboard-run";

export function healthLines(rows: ContentTypeHealthView[]): string[] {
  const header = ["content type", "status", "lag min", "landed", "pending", "failed", "expiring", "last landed"];
  const body = rows.map((r) => [r.contentType, r.status, String(r.lagMinutes ?? "-"), String(r.landed), String(r.pending), String(r.failed), String(r.expiring), r.lastIngestedAt ?? "-"]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => "  " + cells.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  return [line(header), ...body.map(line)];
}

export function onboardingSummary(o: OnboardOutcome): string {
  const who = `tenant ${o.tenantId}${o.domain ? ` (${o.domain})` : ""}, key ${o.key}, database ${o.database}, ${o.identity}`;
  if (o.dryRun) return [`onboard (dry run): nothing was changed. ${who}. Plan:`, ...o.plan.map((s, i) => `  ${i + 1}. ${s}`)].join("\n");
  const lines = [
    `Onboarded ${who}.`,
    `  config: ${o.config.file} ${o.config.changed ? "(tenant added)" : "(already listed, unchanged)"}`,
    `  deployment: ${o.deployment?.where}${o.deployment?.applied.length ? ` — ${o.deployment.applied.join(", ")}` : " — nothing to change"}`,
  ];
  if (o.onboarding) {
    lines.push(`  access: ready after ${o.onboarding.waited.accessSeconds} s; plan runs enqueued ${o.onboarding.enqueued} blob(s); caught up after ${o.onboarding.waited.catchUpSeconds} s`);
    lines.push("", "Health:", ...healthLines(o.onboarding.health));
    const failed = o.onboarding.health.reduce((n, r) => n + r.failed, 0);
    if (failed) lines.push("", `${failed} blob(s) failed: see \`m365-audit-lake status --tenant ${o.tenantId}\`, then \`m365-audit-lake requeue --tenant ${o.tenantId} --failed\`.`);
  }
  return lines.join("\n");
}
