/**
 * Public API of src/scenarios: scenario files → validated scenarios → runs on worker
 * threads (journaled, shardable, resumable) → output files via src/reports.
 */
export { ScenarioSchema, EXPERIMENT_KEY, type ScenarioDoc } from "./format.js";
export { loadScenario, loadAll, validateDoc, type LoadedScenario } from "./load.js";
export { sha256 } from "./decode.js";
export type { SweepAxis } from "./format.js";
export { expandRuns, runCount, parseShard, inShard, type RunSpec, type Shard } from "./expand.js";
export { executeRun, diagnose, type RunTask } from "./execute.js";
export { runScenarios, type RunnerOptions, type RunnerOutcome } from "./runner.js";
export { writeOutputs, type OutputRequest, type OutputSummary } from "./outputs.js";
export { runFiles, runFigures, execute, PAPER_TAG, type SessionOutcome, type ExecOptions } from "./session.js";
export { mergeDirs } from "./merge.js";
export { buildSections, PROVIDERS, type SectionContext, type SectionProvider } from "./sections.js";
export { builtinDir, builtinFiles, loadBuiltins, taggedBuiltins, packageRoot, hrtsimVersion } from "./builtin.js";
export { paramsText, paramsData, explainBreakdowns, explainPrimitive, parseSets, decodeSets } from "./inspect.js";
export { validateFiles, listText } from "./listing.js";
export { scenarioJsonSchema } from "./jsonschema.js";
export { writeFileAtomic } from "./atomic.js";
export { InputError, UsageError, formatProblem, type Problem } from "./problems.js";
