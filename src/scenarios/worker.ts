/**
 * Worker-thread entry: receives batches of runs, posts "start" and one result per run (so a
 * crash mid-batch loses only the run that crashed), then "done" for the batch.
 */
import { parentPort } from "node:worker_threads";
import { executeRun, type RunTask } from "./execute.js";

export type ToWorker = { readonly type: "batch"; readonly id: number; readonly tasks: readonly RunTask[] };
export type FromWorker =
  | { readonly type: "start"; readonly id: number }
  | { readonly type: "result"; readonly id: number; readonly record: ReturnType<typeof executeRun> }
  | { readonly type: "done"; readonly id: number };

if (parentPort) {
  const port = parentPort;
  port.on("message", (msg: ToWorker) => {
    for (const task of msg.tasks) {
      // "start" arms the pool's wall-clock watchdog for this run (not for the thread's start-up).
      port.postMessage({ type: "start", id: msg.id } satisfies FromWorker);
      port.postMessage({ type: "result", id: msg.id, record: executeRun(task) } satisfies FromWorker);
    }
    port.postMessage({ type: "done", id: msg.id } satisfies FromWorker);
  });
}
