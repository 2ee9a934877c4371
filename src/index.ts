/**
 * The package root, `import { Simulation, Resource, distribution } from "hrtsim"`: the engine's
 * public API. Subpaths: "hrtsim/engine" (the same), "hrtsim/models" (the model plug-in contract
 * and registry), "hrtsim/scenarios" (scenario loading and the runner).
 */
export * from "./engine/index.js";
