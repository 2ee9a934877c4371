/**
 * Every model says a stopped run in the same words (plugin.ts failOnRunEnd): the first run of
 * each built-in scenario, cut off by a small event limit, fails with "stopped by the event limit
 * at t=… after N events", N being the limit. mmc, legion launch, the hvm baselines, the host
 * model and atscale each used their own wording (some without the event count).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadBuiltins } from "../src/scenarios/builtin.js";
import { executeRun } from "../src/scenarios/execute.js";
import { expandRuns } from "../src/scenarios/expand.js";
import { hvmModel } from "../src/models/hvm/plugin.js";
import { ModelRunError } from "../src/models/plugin.js";

const LIMIT = 40;

test("a run cut off by the event limit says where and after how many events, in every model's words alike", async () => {
  const stopped = new Set<string>();
  for (const s of await loadBuiltins()) {
    const spec = expandRuns(s)[0]!;
    const r = executeRun({ model: s.plugin.name, limits: { maxEvents: LIMIT }, spec });
    if (r.status === "ok") continue; // a model whose run is several short simulations may finish each within the limit
    assert.match(r.error!, new RegExp(`^limit: ([^\\n]+: )?stopped by the event limit at t=\\d+( ns)? after ${LIMIT} events( \\([^)]+\\))?$`), `${s.doc.name}: ${r.error}`);
    stopped.add(s.plugin.name);
  }
  // The models whose wording was their own, and the shared path's users, must all have been cut off.
  for (const model of ["mmc", "legion", "hvm", "atscale", "bsp", "microbench"]) assert.ok(stopped.has(model), `no ${model} run was stopped: ${[...stopped].join(", ")}`);
});

test("the HVM's Linux baselines (no built-in scenario's first run) say it alike, naming themselves", () => {
  assert.throws(
    () => hvmModel.run({ params: { trials: 2, loop: 2 }, experiment: "baselines", seed: "s", limits: { maxEvents: LIMIT } }),
    (e: unknown) => e instanceof ModelRunError && e.kind === "limit" && new RegExp(`^Linux baselines: stopped by the event limit at t=\\d+ after ${LIMIT} events$`).test(e.message),
  );
});

test.run();
