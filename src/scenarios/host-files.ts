/**
 * Host measurement sets and calibrations on disk: where the checked-in ones live, reading a
 * set (`samples.csv` + `machine.json`) or a calibration (`DIR/calibration/`), and
 * `hrtsim calibrate`'s fit-and-write. Parsing, validation and fitting are pure and live in
 * src/models/host (measurements.ts, calibration-format.ts); this module only moves bytes.
 */
import { existsSync, readdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import * as path from "node:path";
import { CALIBRATION_FILES, CALIBRATION_SUBDIR, calibrationOutput, decodeCalibration, type CalibrationFile, type Calibration, type CalibrationRecord, MEASUREMENT_FILES, MeasurementFormatError, calibrationInputProblems, parseMeasurementSet, type MeasurementSet, type HostModelData } from "../models/host/index.js";
import { writeFileAtomic } from "./atomic.js";
import { InputError } from "./problems.js";
import { packageRoot } from "./package.js";

/** The checked-in measurement set of the project's own host (source data, also when run from dist/). */
export function hostMeasurementsDir(): string {
  return path.join(packageRoot(), "src", "models", "host", "data", "measurements");
}

/**
 * Every checked-in measurement set: the default (the `host` machine's calibration) and the
 * later sets beside it (`data/measurements-*`, each with its own calibration and, measured
 * right after it, a `repeat/` set that shows how far the host itself moves between runs).
 */
export function checkedInMeasurementDirs(): string[] {
  const data = path.dirname(hostMeasurementsDir());
  const later = readdirSync(data).filter((d) => d.startsWith("measurements-")).sort().map((d) => path.join(data, d));
  return [hostMeasurementsDir(), ...later.flatMap((d) => [d, ...(existsSync(path.join(d, REPEAT_SUBDIR, MEASUREMENT_FILES.samples)) ? [path.join(d, REPEAT_SUBDIR)] : [])])];
}

/** A set measured again right after DIR's (same harness, same host), if DIR has one. */
export const REPEAT_SUBDIR = "repeat";

/** Where `hrtsim calibrate DIR` writes by default. */
export function calibrationDir(measurementDir: string): string {
  return path.join(measurementDir, CALIBRATION_SUBDIR);
}

/** The checked-in calibration (the model's machine `host`, which imports it as JSON modules). */
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

/** Read and validate `<dir>/machine.json` and `<dir>/samples.csv` (errors name the file). */
export async function readMeasurementSet(dir: string): Promise<MeasurementSet> {
  const files = { machine: path.join(dir, MEASUREMENT_FILES.machine), samples: path.join(dir, MEASUREMENT_FILES.samples) };
  const machine = await readFile(files.machine, "utf8");
  const samples = await readFile(files.samples, "utf8");
  return parseMeasurementSet({ machine, samples }, files);
}

/**
 * Checks DIR's measurement set up front, before anything runs: a missing or malformed one is bad
 * input (InputError, exit 1) naming the file, not a late report note or an internal error. The
 * commands that use the set read it again when they need it.
 */
export async function checkMeasurementSet(dir: string): Promise<void> {
  for (const f of Object.values(MEASUREMENT_FILES)) {
    if (!existsSync(path.join(dir, f))) {
      throw new InputError([{ file: path.join(dir, f), path: "", message: `${dir} is not a measurement set`, expected: `${f} in it (\`hrtsim measure --out ${dir}\` makes a set)`, found: "no such file" }]);
    }
  }
  let set: MeasurementSet;
  try {
    set = await readMeasurementSet(dir);
  } catch (e) {
    if (e instanceof MeasurementFormatError) {
      throw new InputError([{ file: e.file, path: e.field ?? "", ...(e.line !== undefined ? { line: e.line } : {}), message: e.detail }]);
    }
    throw e;
  }
  // Every set is calibrated (calibrate, or figures --host without a matching calibration): it must hold what the fits read.
  const lacks = calibrationInputProblems(set.samples, set.machine.onlineCpus);
  if (lacks.length > 0) {
    throw new InputError(lacks.map((l) => ({ file: dir, path: "", message: "the measurement set cannot be calibrated", ...l, hint: "measure again with `hrtsim measure` (all experiments)" })));
  }
}

/** A calibration written earlier, if `dir` holds one (decoded and validated). */
export async function readCalibration(dir: string): Promise<(HostModelData & { record: CalibrationRecord }) | undefined> {
  if (!CALIBRATION_FILES.every((f) => existsSync(path.join(dir, f)))) return undefined;
  const texts = {} as Record<CalibrationFile, string>;
  for (const f of CALIBRATION_FILES) texts[f] = await readFile(path.join(dir, f), "utf8");
  return decodeCalibration(texts, (f) => path.join(dir, f));
}

export interface CalibrateResult {
  readonly set: MeasurementSet;
  readonly calibration: Calibration;
  readonly out: string;
  readonly files: readonly string[];
}

/** Reads DIR, fits, writes the three files atomically into `out` (default DIR/calibration). */
export async function calibrateDir(dir: string = hostMeasurementsDir(), out: string = calibrationDir(dir)): Promise<CalibrateResult> {
  const set = await readMeasurementSet(dir);
  const { calibration, texts } = calibrationOutput(set, measurementLabel(dir));
  const files: string[] = [];
  for (const name of CALIBRATION_FILES) {
    const file = path.join(out, name);
    await writeFileAtomic(file, texts[name]);
    files.push(file);
  }
  return { set, calibration, out, files };
}
