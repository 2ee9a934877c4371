/** The engine's public API: everything models may use. */
/**
 * Pending-event sets: the engine runs on the ladder queue (bench/queues.ts compares it with the
 * calendar queue it replaced and a 4-ary heap); `EventQueue` names whichever the engine runs on.
 */
export { LadderQueue, LadderQueue as EventQueue } from "./ladder.js";
export { CalendarQueue } from "./calendar.js";
export { PRIORITY_LATE, PRIORITY_NORMAL, PRIORITY_URGENT } from "./queue.js";
export { Simulation, SimEvent, Process } from "./simulation.js";
export type { Handler, ProcessGenerator, ScheduledCall, Yieldable } from "./simulation.js";
export { describeDeadlock, KIND_CALL, KIND_CALLBACK, KIND_EVENT, KIND_INTERRUPT, KIND_RESUME } from "./types.js";
export type { RunOptions, RunReport, SimulationOptions, TraceRecord, WaitingProcess } from "./types.js";
export { Interrupt, ProcessFailure, SimulationInputError } from "./errors.js";
export type { FailureOrigin } from "./errors.js";
export { MAX_TIME, checkDelay } from "./time.js";
export { RandomStream, Streams, deriveSeed } from "./random.js";
export { distribution, normalCdf, normalPdf } from "./distributions.js";
export type { Distribution, DistributionSpec } from "./distributions.js";
export { Histogram, SampleStore, Tally, TimeWeighted } from "./stats.js";
export { Store, Wait } from "./sync.js";
export { PreemptiveResource, Preempted, Request, Resource } from "./resource.js";
export { Container, ContainerWait } from "./container.js";
