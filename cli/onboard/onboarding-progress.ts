// What an operator sees while a tenant onboards: one line per stage on stderr, and during catch-up one bar per content
// type (cli-progress) on a terminal. Nothing under --json: stdout carries the one result document.
import { MultiBar, type SingleBar } from "cli-progress";
import type { CommandIo } from "../output/command-io";
import type { ContentTypeHealthView, TenantAccessView } from "./onboarding-app";
import { whyNotReady } from "./access-wait";
import type { OnboardingEvents, OnboardingStage } from "./tenant-onboarding";

export interface OnboardingProgress extends OnboardingEvents {
  consent(url: string): void;
  stop(): void;
}

export function onboardingProgress(io: CommandIo, json: boolean, label = ""): OnboardingProgress {
  if (json) return { stage() {}, access() {}, health() {}, consent() {}, stop() {} };
  const prefix = label ? `[${label}] ` : "";
  let bars: MultiBar | undefined;
  const perType = new Map<string, { bar: SingleBar }>();
  let lastWhy = "";
  return {
    stage(stage: OnboardingStage, detail?: string) {
      if (stage === "done") return;
      io.stderr(`${prefix}==> ${stage}${detail ? `: ${detail}` : ""}\n`);
    },
    access(access: TenantAccessView) {
      const why = access.ready ? "ready" : whyNotReady(access);
      if (why !== lastWhy) io.stderr(`${prefix}    access: ${why}\n`);
      lastWhy = why;
    },
    consent(url: string) {
      io.stderr(`${prefix}    A Global Administrator of the tenant must consent to the app once, at:\n${prefix}    ${url}\n`);
    },
    health(rows: ContentTypeHealthView[]) {
      if (!io.interactive) return;
      bars ??= new MultiBar({ format: `${prefix}{contentType} |{bar}| {landed} landed, {pending} pending, {failed} failed, lag {lag} min`, hideCursor: true, clearOnComplete: false, stream: process.stderr });
      for (const r of rows) {
        let t = perType.get(r.contentType);
        if (!t) perType.set(r.contentType, (t = { bar: bars.create(1, 0) }));
        // of what the app knows of for the API's 7 days: landed, still pending, quarantined
        const total = r.landed + r.pending + r.failed;
        t.bar.setTotal(Math.max(1, total));
        t.bar.update(total === 0 ? 1 : r.landed + r.failed, { contentType: r.contentType.padEnd(26), landed: r.landed, pending: r.pending, failed: r.failed, lag: r.lagMinutes ?? "?" });
      }
    },
    stop() {
      bars?.stop();
    },
  };
}
