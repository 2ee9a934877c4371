/**
 * The checked-in noise-at-scale results (bench/results/*.jsonl, quoted by docs/noise-at-scale.md)
 * must be what their command makes from this tree: a model change that moves them fails here
 * until they are re-made. Their points up to a few thousand ranks are re-run (the larger ones take
 * minutes), and each file must hold exactly the command's points, in its order.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CURVE_PROFILES, CURVE_SEEDS, curvePoints, resultLines, SHAPE_SEEDS, shapePoints, type Point } from "../bench/noise-results.js";

const results = (name: string) => fileURLToPath(new URL(`../../bench/results/${name}`, import.meta.url));
const REMAKE = "re-make it: npm run build && node dist/bench/atscale.js";

function stored(name: string): Record<string, unknown>[] {
  return readFileSync(results(name), "utf8").trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** A line as JSON without its machine-dependent CPU time. */
function comparable(line: object): string {
  const { cpuSec: _, ...rest } = line as Record<string, unknown>;
  return JSON.stringify(rest);
}

/** A line's point: its key, the fields before the results. */
function point(line: Record<string, unknown>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(line).slice(0, Object.keys(line).indexOf("seeds"))));
}

function checkReproduces(name: string, flag: string, points: readonly Point[], seeds: readonly string[], maxRanks: number, expected: number): void {
  const hint = `${REMAKE} ${flag} > bench/results/${name}`;
  const file = stored(name);
  assert.equal(file.map(point), points.map((p) => JSON.stringify(p.key)), `${name}: its points; ${hint}`);
  const byPoint = new Map(file.map((l) => [point(l), comparable(l)]));
  let checked = 0;
  for (const line of resultLines(points, seeds, maxRanks)) {
    assert.is(byPoint.get(point(line)), comparable(line), `${name}: ${point(line)}; ${hint}`);
    checked++;
  }
  assert.is(checked, expected, "points re-run");
}

test("noise-shapes.jsonl has every point of `atscale.js --shapes`, and its 1,024-rank points reproduce", () => {
  checkReproduces("noise-shapes.jsonl", "--shapes", shapePoints(), SHAPE_SEEDS, 1024, 3 * 5); // 3 profiles × 5 points at 1,024 ranks
});

test("atscale-curve.jsonl has every point of `atscale.js --curve`, and its points to 4,096 ranks reproduce", () => {
  checkReproduces("atscale-curve.jsonl", "--curve", curvePoints(), CURVE_SEEDS, 4096, 2 * CURVE_PROFILES.length);
});

test.run();
