/**
 * The package as a user gets it: `npm pack`, install the tarball into a fresh project (its
 * dependencies come from the registry or npm's cache), type-check a TypeScript consumer of the
 * root and subpath exports against the shipped declarations, run it (the README's engine
 * example, verbatim), and run the installed `npx hrtsim --version`. Needs `npm run build` first
 * (npm test does it); takes about a minute, mostly the install.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";

const root = fileURLToPath(new URL("../..", import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { name: string; version: string };

/** The README's engine example: the first ts block of its M/M/1 section. */
function readmeExample(): string {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const m = /## A 20-line example[^\n]*\n[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme);
  if (m === null) throw new Error("README.md: no ts block in the engine example section");
  return m[1]!;
}

function run(cmd: string, args: string[], cwd: string, timeoutMs = 180_000) {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", timeout: timeoutMs, env: { ...process.env, npm_config_fund: "false", npm_config_audit: "false" } });
  const out = `${cmd} ${args.join(" ")} (exit ${r.status}):\n${r.stdout}\n${r.stderr}`;
  return { ...r, out };
}

// Uses every entry point: root, engine, the model plug-in contract, the scenario runner API.
const SUBPATHS = `import { Simulation as S2, Container, PreemptiveResource } from "hrtsim/engine";
import type { ModelPlugin, Observation } from "hrtsim/models";
import { listModels } from "hrtsim/models";
import { expandRuns, type RunSpec } from "hrtsim/scenarios";
const sim2 = new S2();
const tank: Container = new Container(sim2, "tank", 10);
const cpu: PreemptiveResource = new PreemptiveResource(sim2, "cpu");
const obs: Observation = { metric: "m", value: 1 };
const names: string[] = listModels().map((m: ModelPlugin) => m.name);
const spec: RunSpec[] | undefined = undefined as RunSpec[] | undefined;
console.log(\`subpaths ok: \${names.length > 0} \${tank.level} \${cpu.busy} \${obs.value} \${typeof expandRuns} \${spec === undefined}\`);
`;

test("npm pack → install in a fresh project → type-check and run a consumer → npx hrtsim --version", () => {
  const dir = mkdtempSync(join(tmpdir(), "hrtsim-pack-"));
  try {
    // --ignore-scripts: dist is already built; `prepare` would rebuild it.
    const pack = run("npm", ["pack", "--ignore-scripts", "--pack-destination", dir], root);
    assert.is(pack.status, 0, pack.out);
    const tarball = join(dir, `${pkg.name}-${pkg.version}.tgz`);
    const app = join(dir, "consumer");
    mkdirSync(app);
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
    const install = run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", tarball], app);
    assert.is(install.status, 0, install.out);

    writeFileSync(join(app, "example.ts"), readmeExample());
    writeFileSync(join(app, "subpaths.ts"), SUBPATHS);
    writeFileSync(join(app, "tsconfig.json"), JSON.stringify({
      compilerOptions: {
        target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, skipLibCheck: true,
        typeRoots: [join(root, "node_modules", "@types")], types: ["node"], outDir: ".",
      },
      files: ["example.ts", "subpaths.ts"],
    }));
    const tsc = run(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"], app);
    assert.is(tsc.status, 0, tsc.out);

    const example = run(process.execPath, ["example.js"], app);
    assert.is(example.status, 0, example.out);
    assert.match(example.stdout, /^mean wait [\d.]+ ticks \(theory .*\), \d+ events, fingerprint [0-9a-f]{16}\n$/);
    const subpaths = run(process.execPath, ["subpaths.js"], app);
    assert.is(subpaths.status, 0, subpaths.out);
    assert.is(subpaths.stdout, "subpaths ok: true 0 0 1 function true\n");

    const version = run("npx", ["--no-install", "hrtsim", "--version"], app);
    assert.is(version.status, 0, version.out);
    assert.match(version.stdout, pkg.version);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("examples/mm1.ts is the README's engine example, verbatim", () => {
  const file = readFileSync(join(root, "examples", "mm1.ts"), "utf8");
  assert.is(file.slice(file.indexOf("\n") + 1), readmeExample());
});

test.run();
