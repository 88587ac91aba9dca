import { SingleBar } from "cli-progress";
import type { JobProgress } from "./job";

export interface ProgressDisplay {
  update(progress: JobProgress): void;
  /** Prints a line without tearing the bar. */
  log(line: string): void;
  stop(): void;
}

/** A bar of blobs done/queued on a terminal; one line every few seconds otherwise (CI logs, pipes). */
export function progressDisplay(stream: NodeJS.WriteStream = process.stdout, intervalMs = 5000): ProgressDisplay {
  return stream.isTTY ? barDisplay(stream) : lineDisplay(stream, intervalMs);
}

function barDisplay(stream: NodeJS.WriteStream): ProgressDisplay {
  const bar = new SingleBar({
    stream,
    format: "  {phase} |{bar}| {value}/{total} blobs · {failed} retried · {poisoned} poisoned · {seconds} s",
    barCompleteChar: "█",
    barIncompleteChar: "░",
    hideCursor: true,
    clearOnComplete: false,
    fps: 5,
  });
  let started = false;
  return {
    update(p) {
      const payload = { phase: p.phase.padEnd(9), failed: p.failedAttempts, poisoned: p.poisoned, seconds: (p.elapsedMs / 1000).toFixed(0) };
      const total = Math.max(p.queued, p.done, 1);
      if (!started) {
        bar.start(total, p.done, payload);
        started = true;
      } else {
        bar.setTotal(total);
        bar.update(p.done, payload);
      }
    },
    log(line) {
      if (started) stream.write("\n");
      stream.write(line + "\n");
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

function lineDisplay(stream: NodeJS.WriteStream, intervalMs: number): ProgressDisplay {
  let lastAt = 0;
  let last: JobProgress | undefined;
  const print = (p: JobProgress) => {
    stream.write(
      `  [${(p.elapsedMs / 1000).toFixed(0).padStart(4)} s] ${p.phase}: ${p.done}/${p.queued} blobs done` +
        `, ${p.failedAttempts} attempts retried, ${p.poisoned} poisoned\n`,
    );
  };
  return {
    update(p) {
      last = p;
      if (p.elapsedMs - lastAt >= intervalMs) {
        lastAt = p.elapsedMs;
        print(p);
      }
    },
    log(line) {
      stream.write(line + "\n");
    },
    stop() {
      if (last && last.elapsedMs !== lastAt) print(last);
    },
  };
}
