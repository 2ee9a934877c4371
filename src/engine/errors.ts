/** Errors the engine raises. Plain classes: the engine knows nothing of Effect. */

/** A bad argument to the engine API (delay, priority, distribution parameter...). */
export class SimulationInputError extends Error {
  override readonly name = "SimulationInputError";
}

/** Where an error was first raised by a process. */
export interface FailureOrigin {
  readonly processName: string;
  readonly time: number;
}

// Errors (objects) thrown by a process, with the first process that raised them: a failure that
// travels up through joiners still names where it started.
const origins = new WeakMap<object, FailureOrigin>();

/** @internal */
export function noteFailureOrigin(error: unknown, processName: string, time: number): void {
  if (typeof error === "object" && error !== null && !origins.has(error)) origins.set(error, { processName, time });
}

/** @internal */
export function failureOrigin(error: unknown): FailureOrigin | undefined {
  return typeof error === "object" && error !== null ? origins.get(error) : undefined;
}

/**
 * A process failed (threw) and nobody waited on it, or an event failed with nobody waiting:
 * carries the name, the simulated time, and where the error was first raised if elsewhere.
 */
export class ProcessFailure extends Error {
  override readonly name = "ProcessFailure";
  constructor(
    readonly processName: string,
    readonly time: number,
    override readonly cause: unknown,
    readonly origin?: FailureOrigin,
  ) {
    const from = origin !== undefined && (origin.processName !== processName || origin.time !== time)
      ? ` (raised in process '${origin.processName}' at t=${origin.time})` : "";
    super(`process '${processName}' failed at t=${time}: ${cause instanceof Error ? cause.message : String(cause)}${from}`);
  }
}

/** Thrown into a process at its yield point by `Process.interrupt(cause)`. */
export class Interrupt extends Error {
  override readonly name = "Interrupt";
  constructor(override readonly cause: unknown) {
    super(`interrupted: ${String(cause)}`);
  }
}
