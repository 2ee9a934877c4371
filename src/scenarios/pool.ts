/**
 * A pool of worker threads running batches of runs. Scheduling is dynamic (a free worker
 * takes the next batch), so completion order varies — callers key results by runIndex.
 * Batches are pulled lazily from an iterable, so a large sweep is never all in memory.
 * A worker that dies mid-batch (a model that crashes the thread or exhausts its heap), or
 * whose current run exceeds the batch's wall-clock limit (the worker is then terminated),
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
  /** Wall-clock limit per run, in ms (Infinity: none). */
  readonly wallMs: number;
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

/** Groups tasks into batches of `size`, lazily. */
export function* makeBatches(key: string, tasks: Iterable<RunTask>, size: number, wallMs: number): Generator<Batch> {
  let chunk: RunTask[] = [];
  for (const t of tasks) {
    chunk.push(t);
    if (chunk.length === size) {
      yield { key, tasks: chunk, wallMs };
      chunk = [];
    }
  }
  if (chunk.length) yield { key, tasks: chunk, wallMs };
}

interface Slot {
  worker: Worker;
  batch?: { id: number; batch: Batch; done: Set<number> };
  timer?: NodeJS.Timeout;
}

const WORKER_URL = new URL("./worker.js", import.meta.url);

export function runPool(batches: Iterable<Batch>, opts: PoolOptions): Promise<void> {
  const source = batches[Symbol.iterator]();
  const requeued: Batch[] = [];
  const next = (): Batch | undefined => {
    if (requeued.length) return requeued.shift();
    const n = source.next();
    return n.done ? undefined : n.value;
  };
  let nextId = 0;
  const slots = new Set<Slot>();
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const stop = (err?: unknown) => {
      if (settled) return;
      settled = true;
      for (const s of slots) {
        clearTimeout(s.timer);
        void s.worker.terminate();
      }
      slots.clear();
      if (err === undefined) resolve();
      else reject(err);
    };
    const retire = (slot: Slot) => {
      clearTimeout(slot.timer);
      slots.delete(slot);
      void slot.worker.terminate();
      if (![...slots].some((s) => s.batch)) stop();
    };
    // The watchdog restarts when each run starts: it bounds the run in progress, not the batch or the thread's start-up.
    const arm = (slot: Slot) => {
      clearTimeout(slot.timer);
      const ms = slot.batch?.batch.wallMs ?? Infinity;
      if (Number.isFinite(ms)) slot.timer = setTimeout(() => failCurrent(slot, `limit: wall-clock limit of ${ms / 1000} s per run exceeded (raise limits.wallSeconds)`), ms);
    };
    const assign = (slot: Slot, batch: Batch) => {
      slot.batch = { id: nextId++, batch, done: new Set() };
      slot.worker.postMessage({ type: "batch", id: slot.batch.id, tasks: batch.tasks } satisfies ToWorker);
    };
    const dispatch = (slot: Slot) => {
      let batch: Batch | undefined;
      try {
        batch = next();
      } catch (e) {
        return stop(e);
      }
      if (batch) assign(slot, batch);
      else retire(slot);
    };
    /** The worker's current run fails with `error`; the worker is replaced and the rest of its batch requeued. */
    const failCurrent = (slot: Slot, error: string) => {
      if (settled || !slots.has(slot)) return;
      clearTimeout(slot.timer);
      slots.delete(slot);
      void slot.worker.terminate();
      const current = slot.batch;
      if (current) {
        const [culprit, ...rest] = current.batch.tasks.filter((t) => !current.done.has(t.spec.runIndex));
        try {
          if (culprit) {
            const { runIndex, point, replication, seed } = culprit.spec;
            opts.onResult(current.batch.key, { runIndex, point, replication, seed, status: "failed", error, observations: [] });
          }
        } catch (e) {
          return stop(e);
        }
        if (rest.length) requeued.unshift({ ...current.batch, tasks: rest });
      }
      spawn();
    };
    const spawn = (first?: Batch) => {
      const slot: Slot = { worker: new Worker(WORKER_URL) };
      slots.add(slot);
      slot.worker.on("message", (msg: FromWorker) => {
        if (settled || slot.batch?.id !== msg.id) return;
        if (msg.type === "start") return arm(slot);
        if (msg.type === "result") {
          slot.batch.done.add(msg.record.runIndex);
          clearTimeout(slot.timer);
          try {
            opts.onResult(slot.batch.batch.key, msg.record);
          } catch (e) {
            stop(e);
          }
          return;
        }
        slot.batch = undefined;
        dispatch(slot);
      });
      slot.worker.on("error", (e) => failCurrent(slot, `model error: worker thread died: ${e.message}`));
      slot.worker.on("exit", (code) => failCurrent(slot, `model error: worker thread died: exit code ${code}`));
      if (first) assign(slot, first);
      else dispatch(slot);
    };
    try {
      for (let i = 0; i < opts.workers; i++) {
        const b = next();
        if (!b) break;
        spawn(b);
      }
    } catch (e) {
      return stop(e);
    }
    if (slots.size === 0) resolve();
  });
}
