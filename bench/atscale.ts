/**
 * Benchmarks of the issue-11 models (`npm run bench`, or alone: `node dist/bench/atscale.js
 * [--json] [--only bsp|ranks]`): a 228-thread BSP run of 10,000 supersteps (targets < 10 s), 65,536 ranks ×
 * 100 collectives (< 60 s) and 1,048,576 ranks × 10 collectives (within 4 GB). Reports wall and
 * CPU seconds (the machine is shared), events/s, messages/s, bytes per rank (typed arrays of the
 * noisy run) and the process's peak resident memory.
 */
import { fileURLToPath } from "node:url";
import { runAtScale } from "../src/models/atscale/plugin.js";
import { runSupersteps } from "../src/models/bsp/superstep.js";

interface Timing { readonly wallSec: number; readonly cpuSec: number }

function timed<T>(f: () => T): T & Timing {
  const c0 = process.cpuUsage(), t0 = performance.now();
  const r = f();
  const c = process.cpuUsage(c0);
  return { ...r, wallSec: (performance.now() - t0) / 1e3, cpuSec: (c.user + c.system) / 1e6 };
}

export function bspBench(kernel: "nautilus" | "linux", supersteps: number) {
  const r = timed(() => runSupersteps({ machine: "phi", kernel, threads: 228, supersteps, work: 110_000, barrier: "kernel" }, "bench", {}));
  return {
    bench: "bsp-phi-228", kernel, supersteps, events: r.events, wallSec: r.wallSec, cpuSec: r.cpuSec,
    eventsPerCpuSec: r.events / r.cpuSec, targetSec: 10, reason: r.reason,
  };
}

export function ranksBench(ranks: number, collectives: number, targetSec: number | null) {
  const r = timed(() => runAtScale({ ranks, collective: "dissemination", collectives, workUs: 1000, noise: { kind: "kernel", kernel: "linux", machine: "x64" } }, "bench"));
  const maxRssMB = process.resourceUsage().maxRSS / 1024; // peak of the whole process so far
  return {
    bench: "atscale-ranks", ranks, collectives, slowdown: r.makespanNs / r.baselineNs,
    events: r.events, messages: r.messages, wallSec: r.wallSec, cpuSec: r.cpuSec,
    messagesPerCpuSec: (2 * r.messages) / r.cpuSec, // the noiseless baseline sends as many again
    arrayBytesPerRank: r.bytesPerRank, maxRssMB,
    ...(targetSec === null ? { memoryLimitMB: 4096 } : { targetSec }),
  };
}

function print(json: boolean, r: Record<string, unknown>): void {
  if (json) console.log(JSON.stringify(r));
  else console.log(Object.entries(r).map(([k, v]) => `${k}=${typeof v === "number" && !Number.isInteger(v) ? v.toPrecision(4) : v}`).join(" "));
}

export function runAll(json: boolean, only?: string): void {
  if (only === undefined || only === "bsp") for (const k of ["nautilus", "linux"] as const) print(json, bspBench(k, 10_000));
  if (only === undefined || only === "ranks") {
    print(json, ranksBench(65_536, 100, 60));
    print(json, ranksBench(1_048_576, 10, null));
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const i = args.indexOf("--only");
  runAll(args.includes("--json"), i >= 0 ? args[i + 1] : undefined);
}
