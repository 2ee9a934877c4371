/** The runtime layer's public API (see README.md). */
export { BLOCKED_WORKER, IDLE_POLICIES, Reduction, RtEvent, Runtime } from "./runtime.js";
export type { Dependent, IdlePolicy, RuntimeConfig, TaskContext, TaskRecord, TaskSpec } from "./runtime.js";
export { RUNTIME_PARAMETERS, RuntimeCostOverrides, runtimeCosts, runtimeData } from "./costs.js";
export type { RuntimeCostName } from "./costs.js";
export { buildKernelWorld } from "./world.js";
export type { KernelWorld, KernelWorldOptions } from "./world.js";
