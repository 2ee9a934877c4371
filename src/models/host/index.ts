/**
 * The host model's one entry point for the layers above (scenarios, CLI): measurement files,
 * calibration, the measured-vs-simulated comparison. The model side (hardware, linux) reads only
 * the calibrated data files, never this code, so no cycle runs between hardware and host.
 */
export { CALIBRATION_FILES, CALIBRATION_SUBDIR, FIT_TABLE_COLUMNS, calibrationOutput, decodeCalibration, fitTableRows, type CalibrationFile } from "./calibration-format.js";
export { calibrate, type Calibration, type CalibrationRecord } from "./calibration.js";
export { calibrationInputProblems } from "./fit-table.js";
export { cdfPoints, compareHost, heldOutOf, type CompareOptions, type ExperimentGap } from "./comparison.js";
export * from "./measurements.js";
export { NOT_MODELED, type HostModelData } from "./simulate.js";
export { quantileSorted, sorted } from "./stats.js";
