/** Invalid input exits 1 with file:line, field, expected/found and hints; usage errors exit 2; the info commands. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { NO_STACK_TRACE, hrtsim, tempDir, writeText } from "./cli-helpers.js";

const VALID = `name: ok
description: fine
model:
  name: mmc
  params:
    serviceRate: 1
    servers: 1
    customers: 100
experiment: queue
sweep:
  arrivalRate: [0.2, 0.5]
replications: 2
seed: 1
`;

test("invalid scenario files exit 1, naming file, line, field, expected and found", async () => {
  const dir = await tempDir();
  const typo = await writeText(dir, "typo.yaml", VALID.replace("replications: 2", "replicatons: 2"));
  const nested = await writeText(dir, "nested.yaml", VALID.replace("    servers: 1", "    servres: 1"));
  const sweep = await writeText(dir, "sweep.yaml", VALID.replace("[0.2, 0.5]", "[0.2, -0.5]"));
  const model = await writeText(dir, "model.yaml", VALID.replace("name: mmc", "name: mcc"));
  const json = await writeText(dir, "bad.json", JSON.stringify({ ...JSON.parse(JSON.stringify({ name: "j", description: "d" })), model: { name: "mmc", params: { arrivalRate: 1, serviceRate: "fast", servers: 1, customers: 5 } }, experiment: "queue", replications: 1, seed: 1 }, null, 2));
  const [a, b, c, d, e] = await Promise.all([typo, nested, sweep, model, json].map((f) => hrtsim(["validate", f])));

  assert.is(a!.code, 1, a!.stderr);
  assert.match(a!.stderr, /typo\.yaml:12:1: replicatons: unknown key/);
  assert.match(a!.stderr, /did you mean "replications"\?/);
  assert.match(a!.stderr, /replications: missing required key/);
  assert.not.match(a!.stderr, NO_STACK_TRACE, "no stack trace");

  assert.is(b!.code, 1, b!.stderr);
  assert.match(b!.stderr, /nested\.yaml:7:5: model\.params\.servres: unknown key/);
  assert.match(b!.stderr, /did you mean "servers"\?/);

  assert.is(c!.code, 1, c!.stderr);
  assert.match(c!.stderr, /sweep\.yaml:11:22: sweep\.arrivalRate\[1\]: invalid value/);
  assert.match(c!.stderr, /expected: a value greater than 0/);
  assert.match(c!.stderr, /found:\s+-0\.5/);

  assert.is(d!.code, 1, d!.stderr);
  assert.match(d!.stderr, /model\.yaml:4:9: model\.name: unknown model/);
  assert.match(d!.stderr, /did you mean "mmc"\?/);

  assert.is(e!.code, 1, e!.stderr);
  assert.match(e!.stderr, /bad\.json:\d+:\d+: model\.params\.serviceRate: invalid value/);
  assert.match(e!.stderr, /found:\s+"fast"/);
});

test("figure and claim references are checked; run refuses invalid files before running anything", async () => {
  const dir = await tempDir();
  const file = await writeText(dir, "refs.yaml", VALID + `outputs:
  figures:
    - { name: f, title: t, kind: line, metric: wiat, x: arivalRate }
claims:
  - { id: c, text: t, metric: wait, statistic: mean, op: ">", threshold: 1, where: { servrs: 1 } }
`);
  const r = await hrtsim(["run", file, "--out", `${dir}/out`]);
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stderr, /outputs\.figures\[0\]\.metric: not a metric/);
  assert.match(r.stderr, /did you mean "wait"\?/);
  assert.match(r.stderr, /outputs\.figures\[0\]\.x: unknown field/);
  assert.match(r.stderr, /did you mean "arrivalRate"\?/);
  assert.match(r.stderr, /claims\[0\]\.where\.servrs: unknown field/);
});

test("usage errors exit 2; --help works on every command", async () => {
  const dir = await tempDir();
  const file = await writeText(dir, "ok.yaml", VALID);
  const results = await Promise.all([
    hrtsim(["run", file, "--bogus"]),
    hrtsim(["run"]),
    hrtsim(["run", file, "--shard", "3/2"]),
    hrtsim(["run", file, "--workers", "zero"]),
    hrtsim(["frobnicate"]),
    hrtsim(["merge", dir]),
  ]);
  for (const r of results) assert.is(r.code, 2, r.stderr);
  assert.match(results[2]!.stderr, /--shard must be i\/n/);
  const commands = ["run", "validate", "list", "schema", "figures", "merge", "measure", "params", "explain"];
  const helps = await Promise.all([[], ...commands.map((c) => [c])].map((c) => hrtsim([...c, "--help"])));
  for (const h of helps) {
    assert.is(h.code, 0, h.stderr);
    assert.match(h.stdout, /USAGE/);
  }
});

test("validate, list, schema, params and explain", async () => {
  const dir = await tempDir();
  const file = await writeText(dir, "ok.yaml", VALID);
  const [v, l, s, p, pBad, x] = await Promise.all([
    hrtsim(["validate", file]),
    hrtsim(["list"]),
    hrtsim(["schema"]),
    hrtsim(["params", "--model", "mmc", "--set", "arrivalRate=0.5", "--set", "serviceRate=1", "--set", "servers=2", "--set", "customers=10"]),
    hrtsim(["params", "--model", "mcc"]),
    hrtsim(["explain", "queue", "--model", "mmc"]),
  ]);
  assert.is(v.code, 0, v.stderr);
  assert.match(v.stdout, /ok: .*ok\.yaml: scenario "ok", 4 runs/);
  assert.is(l.code, 0, l.stderr);
  assert.match(l.stdout, /mm1\s+paper\s+mm1\.yaml/);
  assert.match(l.stdout, /mmc\s+paper\s+mmc\.yaml/);
  assert.is(s.code, 0, s.stderr);
  const schema = JSON.parse(s.stdout);
  assert.is(schema.$schema, "https://json-schema.org/draft/2020-12/schema");
  assert.is(schema.additionalProperties, false);
  const mmc = schema.properties.model.anyOf.find((v: { properties: { name: { const: string } } }) => v.properties.name.const === "mmc");
  assert.ok(schema.properties.sweep && mmc.properties.params.properties.arrivalRate, "per-model params schemas");
  // The JSON Schema accepts what validate accepts: no null for an optional field (the decoder
  // rejects it, below), and names carry their pattern.
  const nullTypes = (node: unknown): number =>
    node === null || typeof node !== "object" ? 0
      : Object.entries(node).reduce((n, [k, v]) => n + (k === "type" && (v === "null" || (Array.isArray(v) && v.includes("null"))) ? 1 : nullTypes(v)), 0);
  assert.is(nullTypes(schema), 0, "no null type anywhere");
  assert.is(schema.properties.name.pattern, "^[A-Za-z0-9][A-Za-z0-9_.-]*$");
  const nul = await hrtsim(["validate", await writeText(dir, "nul.yaml", VALID.replace("    customers: 100", "    customers: 100\n    warmup: null"))]);
  assert.is(nul.code, 1, nul.stderr);
  assert.match(nul.stderr, /model\.params\.warmup: invalid value[\s\S]*found:\s+null/);
  assert.is(p.code, 0, p.stderr);
  assert.match(p.stdout, /servers\s+2/);
  assert.is(pBad.code, 1, pBad.stderr);
  assert.match(pBad.stderr, /did you mean "mmc"\?/);
  assert.is(x.code, 1, "mmc has no explain hook: a clean error");
  assert.match(x.stderr, /has no explain hook/);
});


test("figure and claim fields: validate accepts exactly what the report resolves (a scale sweep's key; not an ambiguous last segment)", async () => {
  const dir = await tempDir();
  const doc = (fieldX: string, groupBy: string) => `name: fields
description: a parameter-file entry swept by scale factors, named in a figure and a claim
model:
  name: microbench
  params: { machine: x64, kernel: nautilus, trials: 4, warmup: 1 }
experiment: condvar
sweep:
  x64.atomic: { scale: [1, 2] }
  x64.store: { scale: [1, 2] }
replications: 1
seed: 1
outputs:
  figures:
    - { name: w, title: w, kind: box, metric: cycles, x: ${fieldX} }
claims:
  - { id: c, text: a claim on the swept entry, metric: cycles, statistic: median, groupBy: [${groupBy}], where: { x64.atomic: 2 }, op: ">", threshold: 0 }
`;
  const good = await writeText(dir, "good.yaml", doc("atomic", "x64.store"));
  const v = await hrtsim(["validate", good]);
  assert.is(v.code, 0, v.stderr);
  const out = `${dir}/out`;
  const r = await hrtsim(["run", good, "--out", out]);
  assert.is(r.code, 0, r.stderr);
  const { readFile } = await import("node:fs/promises");
  const claims = await readFile(`${out}/claims.csv`, "utf8");
  assert.not.match(claims, /unknown field/, claims);
  assert.match(claims.split("\n")[1] ?? "", /,true,/, claims); // medians of cycles are > 0 in both groups
  // "scale" is the last part of both columns: which one would be a guess.
  const bad = await writeText(dir, "bad.yaml", doc("scale", "x64.store"));
  const b = await hrtsim(["validate", bad]);
  assert.is(b.code, 1, b.stderr);
  assert.match(b.stderr, /outputs\.figures\[0\]\.x: unknown field \(not a sweep key, the last part of exactly one/);
});

test("model parameter combinations a model cannot run are validate errors, not internal errors", async () => {
  const dir = await tempDir();
  const doc = (model: string, experiment: string, params: string) =>
    `name: combo\ndescription: an impossible combination\nmodel:\n  name: ${model}\n  params: { ${params} }\nexperiment: ${experiment}\nreplications: 1\nseed: 1\n`;
  const cases = [
    { file: "mb.yaml", text: doc("microbench", "condvar", "machine: host, kernel: nautilus"), expected: /nautilus runs on x64 or phi \(it has no parameter file for host\)/ },
    { file: "lg.yaml", text: doc("legion", "circuit", "machine: host"), expected: /nautilus runs on x64 or phi/ },
    { file: "hv.yaml", text: doc("hvm", "sync-call", "placement: oneHop, hrtFirstPcpu: 9"), expected: /either placement or hrtFirstPcpu, not both/ },
    { file: "hr.yaml", text: doc("hvm", "sync-call", "placement: sameModule, rosCores: 63"), expected: /a placement with a CPU at distance sameModule/ },
  ];
  for (const c of cases) {
    const r = await hrtsim(["validate", await writeText(dir, c.file, c.text)]);
    assert.is(r.code, 1, `${c.file}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`${c.file}:5:\\d+: model\\.params: invalid value`));
    assert.match(r.stderr, c.expected);
    assert.not.match(r.stderr, NO_STACK_TRACE, c.file);
  }
  const ok = await hrtsim(["validate", await writeText(dir, "ok.yaml", doc("microbench", "condvar", "machine: host, kernel: linux, trials: 2"))]);
  assert.is(ok.code, 0, ok.stderr);
});


test("a missing or malformed host measurement set is bad input before anything runs (calibrate, figures --host)", async () => {
  const dir = await tempDir();
  const { mkdir, writeFile, copyFile, readdir } = await import("node:fs/promises");
  const bad = `${dir}/set`;
  await mkdir(bad);
  const missing = await hrtsim(["calibrate", `${dir}/none`]);
  assert.is(missing.code, 1, missing.stderr);
  assert.match(missing.stderr, /none\/machine\.json: .* is not a measurement set/);
  const { hostMeasurementsDir } = await import("../src/scenarios/host-files.js");
  await copyFile(`${hostMeasurementsDir()}/machine.json`, `${bad}/machine.json`);
  await writeFile(`${bad}/samples.csv`, "bad,header\n");
  for (const args of [["calibrate", bad], ["figures", "--host", bad, "--out", `${dir}/out`]]) {
    const r = await hrtsim(args);
    assert.is(r.code, 1, `${args[0]}: ${r.stderr}`);
    assert.match(r.stderr, /set\/samples\.csv:1: expected the header row/);
    assert.not.match(r.stderr, NO_STACK_TRACE);
  }
  assert.not.ok((await readdir(dir)).includes("out"), "figures ran nothing and wrote nothing");
});

test.run();
