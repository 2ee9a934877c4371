/**
 * `npm run bench [-- --json] [-- --only hold,waiting,memory,queues] [-- --increments all]`: engine
 * benchmarks. Re-executes itself with --expose-gc so memory per pending event can be measured;
 * with --json prints one JSON object per line.
 *
 * - hold: the engine and the bare generator + 4-ary heap loop in the same run, and their ratio;
 * - waiting: long waiting lists (overloaded M/M/1, 10^6 queued waiters per synchronisation kind);
 * - memory: bytes per pending callback-only event and per pending generator process (10^6 each);
 * - queues (not by default): pending-event set candidates on the queue-only hold model.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
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
const only = new Set((option("--only") ?? "hold,waiting,memory").split(","));
const increments = option("--increments") === "all" ? Object.keys(INCREMENTS) : (option("--increments") ?? "exponential").split(",");

if (typeof (globalThis as { gc?: unknown }).gc !== "function" && !args.includes("--no-respawn")) {
  const r = spawnSync(process.execPath, ["--expose-gc", fileURLToPath(import.meta.url), ...args, "--no-respawn"], {
    stdio: "inherit",
  });
  process.exit(r.status ?? 1);
}

const print = (r: object, text: string) => console.log(json ? JSON.stringify(r) : text);
const M = (x: number) => (x / 1e6).toFixed(2);

if (only.has("hold")) {
  for (const inc of increments) {
    for (const c of [{ n: 1_000, events: 10_000_000 }, { n: 100_000, events: 5_000_000 }]) {
      const bare = runBare(c.n, c.events, incrementDistribution(inc));
      const r = runHold(c.n, c.events, inc);
      const ratio = r.eventsPerSec / bare.eventsPerSec;
      print(
        { ...r, bareEventsPerSec: bare.eventsPerSec, ratioToBare: ratio },
        `hold ${inc} n=${c.n.toLocaleString("en")}: ${M(r.eventsPerSec)} M events/s, bare loop ${M(bare.eventsPerSec)} M ` +
          `→ ratio ${ratio.toFixed(2)}; ${r.bytesPerPending.toFixed(0)} bytes per pending event ` +
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

if (only.has("memory")) {
  for (const r of [callbackMemory(), processMemory()]) {
    print(r, `memory: ${r.pending.toLocaleString("en")} pending ${r.what} events: ${r.bytesPerPending.toFixed(1)} bytes each, ${r.totalMB.toFixed(0)} MB in all`);
  }
}

if (only.has("queues")) {
  for (const inc of increments) {
    for (const n of [1_000, 100_000]) {
      const results = Object.keys(CANDIDATES).map((queue) => runQueueHold(queue, inc, n, 3_000_000));
      const ref = results[0]!;
      for (const r of results) {
        if (r.checksum !== ref.checksum) throw new Error(`queue ${r.queue} popped in a different order than ${ref.queue} (${inc}, n=${n})`);
        print(r, `queue ${r.queue} ${inc} n=${n.toLocaleString("en")}: ${M(r.opsPerSec)} M hold operations/s (${(r.opsPerSec / ref.opsPerSec).toFixed(2)}× ${ref.queue})`);
      }
    }
  }
}

// Issue-11 models (bench/atscale.ts): BSP supersteps and ranks at scale.
(await import("./atscale.js")).runAll(json);
