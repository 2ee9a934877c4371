/**
 * `npm run bench [-- --json]`: engine benchmarks. Re-executes itself with --expose-gc so memory
 * per pending event can be measured; with --json prints one JSON object per line.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { runHold } from "./hold.js";

const args = process.argv.slice(2);
const json = args.includes("--json");

if (typeof (globalThis as { gc?: unknown }).gc !== "function" && !args.includes("--no-respawn")) {
  const r = spawnSync(process.execPath, ["--expose-gc", fileURLToPath(import.meta.url), ...args, "--no-respawn"], {
    stdio: "inherit",
  });
  process.exit(r.status ?? 1);
}

const cases = [
  { n: 1_000, events: 10_000_000 },
  { n: 100_000, events: 5_000_000 },
];
for (const c of cases) {
  const r = runHold(c.n, c.events);
  if (json) console.log(JSON.stringify(r));
  else {
    console.log(
      `hold n=${r.n.toLocaleString("en")}: ${(r.eventsPerSec / 1e6).toFixed(2)} M events/s ` +
        `(${r.events.toLocaleString("en")} events in ${r.seconds.toFixed(2)} s), ` +
        `${r.bytesPerPending.toFixed(0)} bytes per pending event ` +
        `(${r.generatorBytes.toFixed(0)} of them V8's suspended generator, ${r.engineBytesPerPending.toFixed(0)} the engine's), ` +
        `fingerprint ${r.fingerprint}`,
    );
  }
}

// Issue-11 models (bench/atscale.ts): BSP supersteps and ranks at scale.
(await import("./atscale.js")).runAll(json);
