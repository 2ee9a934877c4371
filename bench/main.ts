/**
 * `npm run bench [-- --json] [-- --only memory,hold,queues,waiting,atscale] [-- --increments exponential,…]`:
 * engine benchmarks. Re-executes itself with --expose-gc so memory per pending event can be
 * measured; with --json prints one JSON object per line. Every line carries the load average.
 *
 * - memory (first, in a fresh heap): bytes per pending callback-only event and per pending
 *   generator process, and the process's RSS, with 10^6 of each pending;
 * - hold: the engine and the bare generator + 4-ary heap loop in the same run, and their ratio
 *   (wall and CPU time; the median of 3 pairs, each in a fresh process), per increment distribution, at 1,000 and 100,000 pending processes;
 * - queues: the pending-event set candidates on the queue-only hold model, and the fastest;
 * - waiting: long waiting lists (overloaded M/M/1, 10^6 queued waiters per synchronisation kind);
 * - atscale: the issue-11 models (bench/atscale.ts).
 */
import { spawnSync } from "node:child_process";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { median } from "d3-array";
import { runBare } from "./bare.js";
import { INCREMENTS, incrementDistribution, runHold } from "./hold.js";
import { callbackMemory, processMemory } from "./memory.js";
import { CANDIDATES, runQueueHold } from "./queues.js";
import { overloadedMM1, queuedAtOnce } from "./waiting.js";

const args = process.argv.slice(2);
const json = args.includes("--json");
const option = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const only = new Set((option("--only") ?? "memory,hold,queues,waiting,atscale").split(","));
const increments = (option("--increments") ?? "all") === "all" ? Object.keys(INCREMENTS) : option("--increments")!.split(",");

if (typeof (globalThis as { gc?: unknown }).gc !== "function" && !args.includes("--no-respawn")) {
  const r = spawnSync(process.execPath, ["--expose-gc", fileURLToPath(import.meta.url), ...args, "--no-respawn"], {
    stdio: "inherit",
  });
  process.exit(r.status ?? 1);
}

const print = (r: object, text: string) => console.log(json ? JSON.stringify({ ...r, loadAverage: loadavg()[0] }) : text);
const M = (x: number) => (x / 1e6).toFixed(2);
const met = (ok: boolean) => (ok ? "met" : "MISSED");

// Targets of issue 12: the engine's share of a pending callback event, and 10^6 pending processes.
const CALLBACK_BYTES_TARGET = 64;
const PROCESS_RSS_TARGET_MB = 512;
if (only.has("memory")) {
  const cb = callbackMemory();
  print({ ...cb, targetBytes: CALLBACK_BYTES_TARGET }, `memory: ${cb.pending.toLocaleString("en")} pending callback events: ${cb.bytesPerPending.toFixed(1)} bytes each ` +
    `(target ≤ ${CALLBACK_BYTES_TARGET}: ${met(cb.bytesPerPending <= CALLBACK_BYTES_TARGET)}), ${cb.totalMB.toFixed(0)} MB in all`);
  const pr = processMemory();
  print({ ...pr, targetRssMB: PROCESS_RSS_TARGET_MB }, `memory: ${pr.pending.toLocaleString("en")} pending generator processes: ${pr.bytesPerPending.toFixed(1)} bytes each, ` +
    `${pr.totalMB.toFixed(0)} MB heap, RSS ${pr.rssMB.toFixed(0)} MB (target ≤ ${PROCESS_RSS_TARGET_MB}: ${met(pr.rssMB <= PROCESS_RSS_TARGET_MB)})`);
}

// Issue 12's targets for the engine ÷ bare loop ratio (CPU time), at 1,000 and 100,000 pending.
const RATIO_TARGET: Record<number, number> = { 1_000: 0.9, 100_000: 1.2 };
/**
 * Pairs per case, each in a fresh process (engine and bare loop in the same run, order
 * alternated): a heap that has already run 10^5-process simulations slows the engine's later
 * pairs (measured in one process: 1.25, 1.00, 0.91), so pairs do not share one; the median of 3
 * is the figure.
 */
const HOLD_PAIRS = 3;
type HoldPair = { r: ReturnType<typeof runHold>; bare: ReturnType<typeof runBare> };
const pairArgs = args.includes("--pair") ? args.slice(args.indexOf("--pair") + 1, args.indexOf("--pair") + 5) : null;
if (pairArgs !== null) {
  // One pair in this fresh process: print it as JSON for the parent.
  const [inc, n, events, order] = [pairArgs[0]!, Number(pairArgs[1]), Number(pairArgs[2]), pairArgs[3]];
  const pair: Partial<HoldPair> = {};
  if (order === "bare-first") pair.bare = runBare(n, events, incrementDistribution(inc));
  pair.r = runHold(n, events, inc);
  if (order !== "bare-first") pair.bare = runBare(n, events, incrementDistribution(inc));
  console.log(JSON.stringify(pair));
  process.exit(0);
}
function freshPair(inc: string, n: number, events: number, bareFirst: boolean): HoldPair {
  const r = spawnSync(process.execPath, ["--expose-gc", fileURLToPath(import.meta.url), "--only", "pair", "--pair", inc, String(n), String(events), bareFirst ? "bare-first" : "engine-first", "--no-respawn"], {
    encoding: "utf8", maxBuffer: 1 << 24,
  });
  if (r.status !== 0) throw new Error(`hold pair ${inc} n=${n} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").at(-1)!) as HoldPair;
}
if (only.has("hold")) {
  for (const inc of increments) {
    for (const c of [{ n: 1_000, events: 10_000_000 }, { n: 100_000, events: 5_000_000 }]) {
      const pairs: HoldPair[] = [];
      for (let i = 0; i < HOLD_PAIRS; i++) pairs.push(freshPair(inc, c.n, c.events, i % 2 === 0));
      const cpuRatios = pairs.map((p) => p.r.eventsPerCpuSec / p.bare.eventsPerCpuSec);
      const cpuRatio = median(cpuRatios)!; // odd count: one of the pairs
      const { r, bare } = pairs[cpuRatios.indexOf(cpuRatio)]!;
      const ratio = r.eventsPerSec / bare.eventsPerSec;
      const target = RATIO_TARGET[c.n]!;
      print(
        { ...r, bareEventsPerSec: bare.eventsPerSec, bareEventsPerCpuSec: bare.eventsPerCpuSec, ratioToBare: ratio, cpuRatioToBare: cpuRatio, cpuRatiosToBare: cpuRatios, ratioTarget: target },
        `hold ${inc} n=${c.n.toLocaleString("en")} (${r.queue}): ${M(r.eventsPerSec)} M events/s, bare loop ${M(bare.eventsPerSec)} M ` +
          `→ ratio ${ratio.toFixed(2)} (CPU time: ${M(r.eventsPerCpuSec)} vs ${M(bare.eventsPerCpuSec)} M/s, median of ${cpuRatios.map((x) => x.toFixed(2)).join(", ")}: ` +
          `${cpuRatio.toFixed(2)}, target ≥ ${target}: ${met(cpuRatio >= target)}); ${r.bytesPerPending.toFixed(0)} bytes per pending event ` +
          `(${r.generatorBytes.toFixed(0)} V8's suspended generator, ${r.engineBytesPerPending.toFixed(0)} the engine's), fingerprint ${r.fingerprint}`,
      );
    }
  }
}

if (only.has("waiting")) {
  for (const n of [100_000, 200_000, 400_000, 800_000]) {
    const r = overloadedMM1(n);
    print(r, `overloaded M/M/1, ${n.toLocaleString("en")} customers: ${r.seconds.toFixed(2)} s (${r.nsPerWaiter.toFixed(0)} ns per customer)`);
  }
  for (const kind of ["resource", "preemptive", "store", "container"] as const) {
    for (const n of [100_000, 1_000_000]) {
      const r = queuedAtOnce(kind, n);
      print(r, `${kind}: ${n.toLocaleString("en")} queued waiters served in ${r.seconds.toFixed(2)} s (${r.nsPerWaiter.toFixed(0)} ns per waiter)`);
    }
  }
}

if (only.has("queues")) {
  for (const inc of increments) {
    for (const n of [1_000, 100_000]) {
      const results = Object.keys(CANDIDATES).map((queue) => runQueueHold(queue, inc, n, 1_000_000));
      const ref = results[0]!;
      for (const r of results) {
        if (r.checksum !== ref.checksum) throw new Error(`queue ${r.queue} popped in a different order than ${ref.queue} (${inc}, n=${n})`);
        print(r, `queue ${r.queue} ${inc} n=${n.toLocaleString("en")}: ${M(r.opsPerSec)} M hold operations/s, ${M(r.opsPerCpuSec)} M per CPU second (${(r.opsPerCpuSec / ref.opsPerCpuSec).toFixed(2)}× ${ref.queue})`);
      }
      // By CPU time: wall time on a shared machine mostly measures the other load.
      const won = results.reduce((a, b) => (b.opsPerCpuSec > a.opsPerCpuSec ? b : a));
      print({ name: "queue-won", increments: inc, n, queue: won.queue }, `queue that won (${inc}, n=${n.toLocaleString("en")}): ${won.queue}`);
    }
  }
}

// Issue-11 models (bench/atscale.ts): BSP supersteps and ranks at scale.
if (only.has("atscale")) (await import("./atscale.js")).runAll(json);
