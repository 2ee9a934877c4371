/**
 * A calibration as files: `hardware.json` (the `host` machine profile), `linux.json` (Linux
 * on it) and `calibration.json` (what was fitted from what), as texts. The checked-in one,
 * `data/measurements/calibration/`, is what the model loads for machine `host` (as JSON
 * modules). Bytes depend only on the measurement set, its label and the x64 data.
 *
 * Pure: reading and writing the files is src/scenarios/host-files.ts.
 */
import type { DistributionSpec } from "../../engine/index.js";
import { decodeParameterFile } from "../hardware/params.js";
import { decodeMachineProfile } from "../hardware/profile.js";
import { calibrate, type Calibration, type CalibrationRecord } from "./calibration.js";
import type { MeasurementSet } from "./measurements.js";
import type { HostModelData } from "./simulate.js";

export const CALIBRATION_FILES = ["hardware.json", "linux.json", "calibration.json"] as const;
export type CalibrationFile = (typeof CALIBRATION_FILES)[number];

/** Where a calibration sits relative to its measurement set (`hrtsim calibrate DIR` writes DIR/calibration). */
export const CALIBRATION_SUBDIR = "calibration";

export function calibrationTexts(c: Calibration): Record<CalibrationFile, string> {
  const json = (v: unknown) => JSON.stringify(v, null, 2) + "\n";
  return { "hardware.json": json(c.hardware), "linux.json": json(c.linux), "calibration.json": json(c.record) };
}

/**
 * Fit `set` (named `label` in the sources) and render the three files, checking that what is
 * about to be written decodes as the model will load it.
 */
export function calibrationOutput(set: MeasurementSet, label: string): { calibration: Calibration; texts: Record<CalibrationFile, string> } {
  const calibration = calibrate(set, label);
  const texts = calibrationTexts(calibration);
  decodeMachineProfile(JSON.parse(texts["hardware.json"]), "hardware.json");
  decodeParameterFile(JSON.parse(texts["linux.json"]), "linux.json");
  return { calibration, texts };
}

/** A calibration from the texts of its three files, decoded and validated; `name` names a file in errors. */
export function decodeCalibration(
  texts: Readonly<Record<CalibrationFile, string>>,
  name: (file: CalibrationFile) => string = (f) => f,
): HostModelData & { record: CalibrationRecord } {
  const parse = (f: CalibrationFile) => JSON.parse(texts[f]) as unknown;
  return {
    hardware: decodeMachineProfile(parse("hardware.json"), name("hardware.json")),
    linux: decodeParameterFile(parse("linux.json"), name("linux.json")),
    record: parse("calibration.json") as CalibrationRecord,
  };
}

const fmt = (x: number) => (Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(5))));

/** The fit as a table: which parameter comes from which measurement, and what it became. */
export function fitTableRows(r: CalibrationRecord): string[][] {
  const rows: string[][] = r.facts.map((f) => [f.parameter, f.from, "", "", f.value, f.parameter]);
  const n = r.noise;
  if ("kind" in n) {
    rows.push([
      "interference", `detour trace (${n.cpus} CPUs)`, `${n.counts.join(" + ")} detours > ${fmt(n.minDetour)} cycles, ${n.stolen.map((x) => `${fmt(x * 100)}%`).join(" / ")} of the time`, "",
      `replayed as measured (${fmt(n.ratePerCpu)}/s per CPU, median ${fmt(n.medianDuration)} cycles)`, "interference (machine profile); noise.tick.duration, noise.*.rate = 0",
    ]);
  } else {
    rows.push([
      "interference", `tail of ${n.experiment} (${n.n} trials)`, `${n.excesses.length} excesses > ${fmt(n.threshold)} cycles`, "",
      `${fmt(n.rate)}/s${n.duration === null ? "" : `, ${describeSpec(n.duration)} cycles`}`, "noise.daemon.rate, noise.daemon.duration",
    ]);
  }
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
