// `npm run <script>` starts us as npm → sh → tsx → node, and a SIGTERM sent to npm alone stops at sh: a long-running
// local tool watches its two nearest ancestors and stops when one of them loses its parent, so Azurite and the
// servers never outlive the launcher.
import { readFileSync } from "node:fs";

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined; // gone
  }
}

export function watchLauncher(onGone: () => void): void {
  if (process.platform !== "linux") return;
  const chain: Array<[number, number | undefined]> = [];
  let pid = process.ppid;
  for (let i = 0; i < 2 && pid > 1; i++) {
    const parent = parentOf(pid);
    chain.push([pid, parent]);
    if (parent === undefined) break;
    pid = parent;
  }
  const timer = setInterval(() => {
    if (chain.some(([p, parent]) => parentOf(p) !== parent)) {
      clearInterval(timer);
      onGone();
    }
  }, 500);
  timer.unref();
}
