/** Report sections: `report.explain` breakdowns through the generic section providers. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { ModelPlugin } from "../src/models/index.js";
import { validateDoc } from "../src/scenarios/load.js";
import { buildSections } from "../src/scenarios/sections.js";
import { plainSource } from "../src/scenarios/source.js";

const doc = {
  name: "e", description: "d", model: { name: "mmc", params: { arrivalRate: 0.5, serviceRate: 1, servers: 1, customers: 10 } },
  experiment: "queue", replications: 1, seed: 1,
};

test("explain entries become one section per breakdown, with merged params and a derived seed", async () => {
  const s = validateDoc(plainSource("e.yaml", doc), "h");
  const seen: unknown[] = [];
  const plugin: ModelPlugin = {
    ...s.plugin,
    explain(input) {
      seen.push(input);
      return [{ title: "one customer", unit: "time units", total: 3, steps: [{ step: "wait", where: "queue", cost: 1 }, { step: "serve", where: "server", cost: 2, note: "exp" }] }];
    },
  };
  const scenario = { ...s, plugin, doc: { ...s.doc, report: { explain: [{ experiment: "queue", params: { servers: 2 }, title: "two servers" }] } } };
  const sections = await buildSections({ command: "run", scenarios: [scenario], results: [] });
  assert.is(sections.length, 1);
  assert.is(sections[0]!.title, "two servers");
  assert.is(sections[0]!.scenario, "e", "shown inside its scenario's section");
  assert.equal(sections[0]!.table!.columns, ["step", "where", "cost (time units)", "note"]);
  assert.equal(sections[0]!.table!.rows[1], ["serve", "server", "2", "exp"]);
  assert.equal(sections[0]!.table!.total, ["total", "", "3", ""]);
  const input = seen[0] as { params: { servers: number; arrivalRate: number }; experiment: string; seed: string };
  assert.is(input.params.servers, 2);
  assert.is(input.params.arrivalRate, 0.5);
  assert.is(input.experiment, "queue");
  assert.match(input.seed, /^\d+$/);
});

test("a model that throws while explaining yields a section saying so, not a crash", async () => {
  const s = validateDoc(plainSource("e.yaml", doc), "h");
  const plugin: ModelPlugin = { ...s.plugin, explain: () => { throw new Error("boom"); } };
  const scenario = { ...s, plugin, doc: { ...s.doc, report: { explain: [{ experiment: "queue" }] } } };
  const [section] = await buildSections({ command: "figures", scenarios: [scenario], results: [], hostDir: "/nowhere" });
  assert.match(section!.markdown!, /Could not explain: model error: boom/);
});

test.run();
