/**
 * A pool of worker threads running batches of runs. Scheduling is dynamic (a free worker
 * takes the next batch), so completion order varies — callers key results by runIndex.
 * A worker that dies mid-batch (a model that crashes the thread or exhausts its heap)
 * fails the run it was on; the rest of its batch goes back to the queue on a new worker.
 */
import { Worker } from "node:worker_threads";
import type { RunRecord } from "../reports/results.js";
import type { RunTask } from "./execute.js";
import type { FromWorker, ToWorker } from "./worker.js";

export interface Batch {
  /** Caller's tag (the scenario name), handed back with each result. */
  readonly key: string;
  readonly tasks: readonly RunTask[];
}

export interface PoolOptions {
  readonly workers: number;
  /** Called once per finished run, in completion order; a throw aborts the pool. */
  readonly onResult: (key: string, record: RunRecord) => void;
}

/** Batch size: a few batches per worker for balance, but not so small that messages dominate. */
export function batchSize(runs: number, workers: number): number {
  return Math.max(1, Math.min(64, Math.ceil(runs / (workers * 8))));
}

export function makeBatches(key: string, tasks: readonly RunTask[], workers: number): Batch[] {
  const size = batchSize(tasks.length, workers);
  const out: Batch[] = [];
  for (let i = 0; i < tasks.length; i += size) out.push({ key, tasks: tasks.slice(i, i + size) });
  return out;
}

interface Slot {
  worker: Worker;
  batch?: { id: number; batch: Batch; done: Set<number> };
}

const WORKER_URL = new URL("./worker.js", import.meta.url);

export function runPool(batches: readonly Batch[], opts: PoolOptions): Promise<void> {
  const queue = [...batches];
  const total = batches.length;
  let finished = 0;
  let nextId = 0;
  const slots = new Set<Slot>();
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const stop = (err?: unknown) => {
      if (settled) return;
      settled = true;
      for (const s of slots) void s.worker.terminate();
      slots.clear();
      if (err === undefined) resolve();
      else reject(err);
    };
    const dispatch = (slot: Slot) => {
      const batch = queue.shift();
      if (!batch) {
        slots.delete(slot);
        void slot.worker.terminate();
        if (finished === total) stop();
        return;
      }
      slot.batch = { id: nextId++, batch, done: new Set() };
      slot.worker.postMessage({ type: "batch", id: slot.batch.id, tasks: batch.tasks } satisfies ToWorker);
    };
    const crashed = (slot: Slot, why: string) => {
      slots.delete(slot);
      const current = slot.batch;
      if (current) {
        const left = current.batch.tasks.filter((t) => !current.done.has(t.spec.runIndex));
        const [culprit, ...rest] = left;
        try {
          if (culprit) {
            const { runIndex, point, replication, seed } = culprit.spec;
            opts.onResult(current.batch.key, { runIndex, point, replication, seed, status: "failed", error: `model error: worker thread died: ${why}`, observations: [] });
          }
        } catch (e) {
          return stop(e);
        }
        if (rest.length) queue.unshift({ key: current.batch.key, tasks: rest });
        else finished++;
      }
      if (finished === total && queue.length === 0) return stop();
      spawn();
    };
    const spawn = () => {
      const slot: Slot = { worker: new Worker(WORKER_URL) };
      slots.add(slot);
      slot.worker.on("message", (msg: FromWorker) => {
        if (settled || slot.batch?.id !== msg.id) return;
        if (msg.type === "result") {
          slot.batch.done.add(msg.record.runIndex);
          try {
            opts.onResult(slot.batch.batch.key, msg.record);
          } catch (e) {
            stop(e);
          }
          return;
        }
        finished++;
        slot.batch = undefined;
        dispatch(slot);
      });
      slot.worker.on("error", (e) => !settled && crashed(slot, e.message));
      slot.worker.on("exit", (code) => !settled && slots.has(slot) && crashed(slot, `exit code ${code}`));
      dispatch(slot);
    };
    if (total === 0) return resolve();
    for (let i = 0; i < Math.min(opts.workers, total); i++) spawn();
  });
}
