// The breach-scope report as one self-contained HTML page (inline CSS and SVG, no script, no external asset): it opens
// offline and prints. Every number on the page carries data-number="<path in the JSON>" so a test can hold it to the JSON.
import type { BreachScopeReport, MessageRead, TimelineEvent } from "./breach-scope";
import type { FootprintRow } from "./footprint";

const esc = (s: unknown) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
const num = (path: string, n: number) => `<span class="n" data-number="${esc(path)}">${n.toLocaleString("en-US")}</span>`;

const LANES: Array<{ kinds: TimelineEvent["kind"][]; label: string; color: string }> = [
  { kinds: ["ThrottledMailbox", "SyncedMailbox"], label: "Whole mailbox presumed exposed", color: "#8e44ad" },
  { kinds: ["SyncedFolder"], label: "Folders synced (attacker)", color: "#d35400" },
  { kinds: ["BoundMessage"], label: "Messages read (attacker)", color: "#c0392b" },
  { kinds: ["SyncToReview"], label: "Syncs to review", color: "#7f8c8d" },
  { kinds: ["SignIn"], label: "Sign-ins (attacker)", color: "#2c3e50" },
  { kinds: ["Persistence"], label: "Persistence set (attacker)", color: "#b03a2e" },
  { kinds: ["DataReached"], label: "Other data reached (attacker)", color: "#16a085" },
];

export function renderHtml(r: BreachScopeReport): string {
  const a = r.answer;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(r.title)}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1100px;color:#1c1c1c;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.meta{color:#555;font-size:12px}.answer{background:#fdf2f0;border-left:4px solid #c0392b;padding:12px 16px;margin:16px 0}
.answer .big{font-size:20px;font-weight:600}.warn{background:#fff7e0;border-left:4px solid #e0a800;padding:8px 12px;margin:8px 0}
.note{color:#555;font-style:italic}table{border-collapse:collapse;width:100%;font-size:12px;margin:6px 0}
th,td{border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top;overflow-wrap:anywhere}th{background:#f4f4f4}
td.mono,code,pre{font-family:ui-monospace,Consolas,monospace;font-size:11px;word-break:break-all}pre{background:#f7f7f7;padding:8px;white-space:pre-wrap}
ul.ids{columns:2;font-family:ui-monospace,Consolas,monospace;font-size:11px}
@media print{.answer,.warn{break-inside:avoid}}
</style></head><body>
<h1>${esc(r.title)}</h1>
<div class="meta">Generated ${esc(r.generatedAt)} from ${esc(r.source)}</div>

${stillIn(r)}

<section class="answer" id="answer">
<div class="big">${num("answer.messagesRead", a.messagesRead)} message${a.messagesRead === 1 ? "" : "s"} read in the attacker's context</div>
<p>${esc(a.summary)}</p>
<p>Folders synced: ${num("answer.foldersSynced.length", a.foldersSynced.length)}${a.foldersSynced.length ? ` — ${a.foldersSynced.map((f) => `<code>${esc(f)}</code>`).join(", ")}` : ""}.
 Periods in which a whole mailbox is presumed exposed: ${num("answer.mailboxExposures.length", a.mailboxExposures.length)}.
 Syncs to review (not the attacker's as far as the identifiers tell): ${num("answer.syncsToReview", a.syncsToReview)}.</p>
${a.mailboxExposures.length ? `<table><tr><th>Mailbox</th><th>From</th><th>To</th><th>Why</th></tr>${a.mailboxExposures.map((e) => `<tr><td>${esc(e.mailboxUpn)}</td><td>${esc(e.from)}</td><td>${esc(e.to)}</td><td>${esc(e.why)}</td></tr>`).join("")}</table>` : ""}
${a.mayBeIncomplete ? `<div class="warn"><b>The scope may be incomplete.</b> ${esc(r.freshness.note)}</div>` : ""}
<details><summary>The ${num("answer.internetMessageIds.length", a.internetMessageIds.length)} InternetMessageIds read</summary><ul class="ids">${a.internetMessageIds.map((m) => `<li>${esc(m)}</li>`).join("")}</ul></details>
</section>

<h2>Timeline of access over the window</h2>
${timeline(r)}

<h2>Messages read (step 4)</h2>
${r.emailEvents.available ? "" : `<p class="note" id="email-events-note">${esc(r.emailEvents.note)}</p>`}
${messagesTable(r.messages, r.emailEvents.available, "messages")}
${r.syncedMessages.length ? `<h2>Messages named by a Sync in the attacker's context (step 3 evidence)</h2>${messagesTable(r.syncedMessages, r.emailEvents.available, "synced-messages")}` : ""}

${r.correspondents.available ? `<h2>External correspondents of the messages read</h2>
<p id="correspondents-note">${num("correspondents.external.length", r.correspondents.external.length)} distinct external addresses. ${esc(r.correspondents.note)}</p>
${table(["Address"], r.correspondents.external.map((a) => [a]), "correspondents")}` : ""}

${reached(r)}

<h2>Folders synced and syncs to review (steps 2 and 3)</h2>
${table(["Mailbox", "Folder", "Kind", "First", "Last", "Records", "Clients"], r.folders.map((f) => [f.mailbox, f.folderPath, f.kind, f.firstAccess, f.lastAccess, String(f.accessCount), f.clients]), "folders")}

<h2>The attacker's sessions, IPs, clients and apps</h2>
${table(["Kind", "Value", "Exposures"], r.context.map((c) => [c.kind, c.value, String(c.exposures)]), "context")}

<h2>Queries and parameters used</h2>
${r.queries.map((q) => `<h3>${esc(q.name)}</h3><pre>${esc(q.text)}</pre>${table(["Parameter", "Value"], Object.entries(q.parameters), "")}`).join("\n")}

<h2>Data freshness</h2>
<p class="${r.answer.mayBeIncomplete ? "warn" : "note"}">${esc(r.freshness.note)}</p>
${table(["Content type", "Newest landed blob created", "Last ingested", "Blobs"], r.freshness.contentTypes.map((f) => [f.contentType, f.lastContentCreated, f.lastIngestedAt, String(f.blobs)]), "freshness")}
</body></html>
`;
}

/** "Still in?": the persistence the attacker set, the live items first, each with the call that removes it. */
function stillIn(r: BreachScopeReport): string {
  const s = r.stillIn;
  if (!s.available) return `<section id="still-in"><h2>Still in?</h2><p class="warn">${esc(s.note)}</p></section>`;
  const rows = s.persistence.map((p) =>
    `<tr class="${p.StillActive ? "active" : "removed"}"><td>${esc(p.Kind)}</td><td>${esc(p.Time)}</td><td>${esc(p.Mailbox)}</td><td>${esc(p.Target)}</td><td>${esc(p.Detail)}</td><td>${p.StillActive ? "<b>yes</b>" : "no (removed in the window)"}</td><td class="mono">${esc(p.Remediation)}</td></tr>`);
  return `<section id="still-in" class="${s.active ? "answer" : ""}"><h2>Still in?</h2>
<div class="big">${num("stillIn.active", s.active)} persistence item${s.active === 1 ? "" : "s"} set by the attacker still hold${s.active === 1 ? "s" : ""} at the end of the window</div>
<p class="note">${esc(s.note)}</p>
${rows.length ? `<table id="persistence" data-rows="${rows.length}"><tr><th>Kind</th><th>Set at</th><th>Mailbox</th><th>What</th><th>Conditions and actions</th><th>Still holds</th><th>Remediation</th></tr>${rows.join("")}</table>` : `<p class="note">None.</p>`}
</section>`;
}

/** "What else was reached": files, attachments, mail sent, deletions and searches, then the sign-ins. */
function reached(r: BreachScopeReport): string {
  const cells = (x: FootprintRow) => [x.Time, x.Kind, x.Mailbox || x.UserId, x.Target, x.Detail, x.ClientIP, x.SessionId || x.AADSessionId];
  return `<h2 id="reached-heading">What else was reached</h2>
<p>${num("reached.data.length", r.reached.data.length)} other acts in the attacker's context: files accessed, downloaded, synced or shared, attachments opened, mail sent as the victim, items deleted, searches run.</p>
${table(["Time", "Kind", "Mailbox or user", "What", "Detail", "IP", "Session"], r.reached.data.map(cells), "reached")}
<h3>Sign-ins from the attacker's context</h3>
${table(["Time", "Kind", "User", "Account", "User agent and session", "IP", "Session"], r.reached.signIns.map(cells), "sign-ins")}`;
}

function messagesTable(rows: MessageRead[], withEmailEvents: boolean, id: string): string {
  const head = ["Mailbox", "Folder", "InternetMessageId", "First read", "Last read", "Records", "Size"];
  if (withEmailEvents) head.push("Sender", "Recipients", "Subject", "Delivered");
  return table(head, rows.map((m) => {
    const cells = [m.mailbox, m.folderPath, m.internetMessageId, m.firstAccess, m.lastAccess, String(m.accessCount), m.sizeInBytes === null ? "" : String(m.sizeInBytes)];
    if (withEmailEvents) cells.push(m.sender ?? "", m.recipients ?? "", m.subject ?? "", m.deliveredAt ?? "");
    return cells;
  }), id);
}

function table(head: string[], rows: string[][], id: string): string {
  if (rows.length === 0) return `<p class="note">None.</p>`;
  return `<table${id ? ` id="${id}" data-rows="${rows.length}"` : ""}><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr>${rows.map((cells) => `<tr>${cells.map((c) => `<td>${esc(c)}</td>`).join("")}</tr>`).join("")}</table>`;
}

/** Inline SVG: one lane per kind of exposure, time across the question's window. */
function timeline(r: BreachScopeReport): string {
  const W = 1060, left = 230, right = 16, laneH = 34, top = 10;
  const from = Date.parse(r.question.from), to = Date.parse(r.question.to);
  const span = Math.max(1, to - from);
  const x = (iso: string) => left + ((Math.min(Math.max(Date.parse(iso), from), to) - from) / span) * (W - left - right);
  const H = top + LANES.length * laneH + 30;
  const parts: string[] = [];
  LANES.forEach((lane, i) => {
    const y = top + i * laneH;
    parts.push(`<rect x="${left}" y="${y}" width="${W - left - right}" height="${laneH - 6}" fill="#fafafa" stroke="#eee"/>`);
    parts.push(`<text x="${left - 8}" y="${y + laneH / 2}" text-anchor="end" font-size="12" fill="#333">${esc(lane.label)}</text>`);
    for (const e of r.timeline.filter((t) => lane.kinds.includes(t.kind))) {
      const x1 = x(e.at), x2 = x(e.until);
      const title = `<title>${esc(`${e.kind} ${e.mailbox} ${e.label} ${e.at}${e.until !== e.at ? ` – ${e.until}` : ""}`)}</title>`;
      const dot = (cx: number) => `<circle cx="${cx.toFixed(1)}" cy="${y + (laneH - 6) / 2}" r="5" fill="${lane.color}" fill-opacity="0.8"/>`;
      // a mailbox exposure is a period (a bar); a message or folder is marked where it was first and last touched
      const period = e.kind === "ThrottledMailbox" || e.kind === "SyncedMailbox";
      const shapes = period && x2 - x1 >= 3
        ? `<rect x="${x1.toFixed(1)}" y="${y + 4}" width="${(x2 - x1).toFixed(1)}" height="${laneH - 14}" fill="${lane.color}" fill-opacity="0.55"/>`
        : (x2 - x1 >= 3 && !period ? [x1, x2] : [x1]).map(dot).join("");
      parts.push(`<g class="event" data-kind="${e.kind}">${title}${shapes}</g>`);
    }
  });
  const ticks = 6;
  for (let i = 0; i <= ticks; i++) {
    const t = new Date(from + (span * i) / ticks).toISOString();
    const tx = x(t);
    parts.push(`<line x1="${tx.toFixed(1)}" y1="${top}" x2="${tx.toFixed(1)}" y2="${H - 22}" stroke="#ccc" stroke-dasharray="2,3"/>`);
    parts.push(`<text x="${tx.toFixed(1)}" y="${H - 8}" text-anchor="middle" font-size="11" fill="#555">${esc(t.slice(0, 16).replace("T", " "))}</text>`);
  }
  return `<svg id="timeline" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="Access over the window" data-marks="${r.timeline.length}">${parts.join("")}</svg>`;
}
