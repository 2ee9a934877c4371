/**
 * A calibration on disk: `<out>/hardware.json` (the `host` machine profile),
 * `<out>/linux.json` (Linux on it) and `<out>/calibration.json` (what was fitted from what).
 * The checked-in one, `data/measurements/calibration/`, is what the model loads for machine
 * `host`. Bytes depend only on the measurement set, its label and the x64 data.
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, unlink, writeFile } from "node:fs/promises";
import * as path from "node:path";
import type { DistributionSpec } from "../../engine/index.js";
import { decodeParameterFile } from "../hardware/params.js";
import { decodeMachineProfile } from "../hardware/profile.js";
import { calibrate, type Calibration, type CalibrationRecord } from "./calibration.js";
import { PATH_FITS } from "./fit-table.js";
import { hostMeasurementsDir, packageRoot, readMeasurementSet } from "./measurements.js";
import type { HostModelData } from "./simulate.js";

export const CALIBRATION_FILES = ["hardware.json", "linux.json", "calibration.json"] as const;

/** Where `hrtsim calibrate DIR` writes by default. */
export function calibrationDir(measurementDir: string): string {
  return path.join(measurementDir, "calibration");
}

/** The checked-in calibration (the model's machine `host`). */
export function hostCalibrationDir(): string {
  return calibrationDir(hostMeasurementsDir());
}

/**
 * How sources name a measurement directory: relative to the package root when inside it
 * (so the checked-in files do not depend on where the checkout lives), else absolute.
 */
export function measurementLabel(dir: string): string {
  const abs = path.resolve(dir);
  const rel = path.relative(packageRoot(), abs);
  return rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel.split(path.sep).join("/") : abs;
}

export function calibrationTexts(c: Calibration): Record<(typeof CALIBRATION_FILES)[number], string> {
  const json = (v: unknown) => JSON.stringify(v, null, 2) + "\n";
  return { "hardware.json": json(c.hardware), "linux.json": json(c.linux), "calibration.json": json(c.record) };
}

async function writeAtomic(file: string, data: string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, file);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}

export interface CalibrateResult {
  readonly calibration: Calibration;
  readonly out: string;
  readonly files: readonly string[];
}

/** Reads DIR, fits, writes the three files atomically into `out` (default DIR/calibration). */
export async function calibrateDir(dir: string = hostMeasurementsDir(), out: string = calibrationDir(dir)): Promise<CalibrateResult> {
  const set = await readMeasurementSet(dir);
  const calibration = calibrate(set, measurementLabel(dir));
  const texts = calibrationTexts(calibration);
  // Check what we are about to write decodes as the model will load it.
  decodeMachineProfile(JSON.parse(texts["hardware.json"]), "hardware.json");
  decodeParameterFile(JSON.parse(texts["linux.json"]), "linux.json");
  await mkdir(out, { recursive: true });
  const files: string[] = [];
  for (const name of CALIBRATION_FILES) {
    const file = path.join(out, name);
    await writeAtomic(file, texts[name]);
    files.push(file);
  }
  return { calibration, out, files };
}

/** A calibration written earlier, if `dir` holds one (decoded and validated). */
export async function readCalibration(dir: string): Promise<(HostModelData & { record: CalibrationRecord }) | undefined> {
  if (!CALIBRATION_FILES.every((f) => existsSync(path.join(dir, f)))) return undefined;
  const read = async (f: string) => JSON.parse(await readFile(path.join(dir, f), "utf8")) as unknown;
  return {
    hardware: decodeMachineProfile(await read("hardware.json"), path.join(dir, "hardware.json")),
    linux: decodeParameterFile(await read("linux.json"), path.join(dir, "linux.json")),
    record: (await read("calibration.json")) as CalibrationRecord,
  };
}

const fmt = (x: number) => (Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(5))));

/** The fit as a table: which parameter comes from which measurement, and what it became. */
export function fitTableRows(r: CalibrationRecord): string[][] {
  const rows: string[][] = r.facts.map((f) => [f.parameter, f.from, "", "", f.value, f.parameter]);
  const n = r.noise;
  rows.push([
    "interference", `tail of ${n.experiment} (${n.n} trials)`, `${n.excesses.length} excesses > ${fmt(n.threshold)} cycles`, "",
    `${fmt(n.rate)}/s${n.duration === null ? "" : `, ${describeSpec(n.duration)} cycles`}`, "noise.daemon.rate, noise.daemon.duration",
  ]);
  for (const f of r.fits) {
    rows.push([
      f.id, `median of ${f.experiment} (${f.n} trials)`, `${fmt(f.measured)} cycles`, `${fmt(f.modelAtX64)} → ${fmt(f.modelAtFit)}`,
      `× ${fmt(f.factor)}${f.matched ? "" : " (NOT MATCHED)"}`, f.parameters.map((p) => p.replace(/^[a-z]+:/, "")).join(", "),
    ]);
  }
  return rows;
}

function describeSpec(s: DistributionSpec): string {
  if (typeof s === "number") return fmt(s);
  return `${s.dist}(${Object.entries(s).filter(([k]) => k !== "dist").map(([k, v]) => `${k} ${typeof v === "number" ? fmt(v) : JSON.stringify(v)}`).join(", ")})`;
}

export const FIT_TABLE_COLUMNS = ["fit", "from", "measured", "model median: x64 → fitted", "fitted value", "parameters"] as const;
