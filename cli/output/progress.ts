// A progress bar over the named stages of a long command (cli-progress), drawn on stderr only when it is a terminal
// and not under --json: pipelines and JSON consumers get no escape codes.
import { SingleBar } from "cli-progress";
import type { CommandIo } from "./command-io";

export interface StageProgress {
  stage(name: string, detail?: string): void;
  stop(): void;
}

export function stageProgress(io: CommandIo, json: boolean, title: string, stages: readonly string[]): StageProgress {
  if (json || !io.interactive) return { stage() {}, stop() {} };
  const bar = new SingleBar({
    format: `${title} |{bar}| {value}/{total} {stage} {detail}`,
    barCompleteChar: "█",
    barIncompleteChar: "░",
    hideCursor: true,
    clearOnComplete: false,
    stream: process.stderr,
  });
  bar.start(stages.length, 0, { stage: stages[0] ?? "", detail: "" });
  return {
    stage(name, detail = "") {
      const at = stages.indexOf(name);
      bar.update(at < 0 ? bar.getProgress() * stages.length : at, { stage: name, detail });
    },
    stop() {
      bar.update(stages.length, { stage: "done", detail: "" });
      bar.stop();
    },
  };
}
