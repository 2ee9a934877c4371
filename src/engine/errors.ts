/** Errors the engine raises. Plain classes: the engine knows nothing of Effect. */

/** A bad argument to the engine API (delay, priority, distribution parameter...). */
export class SimulationInputError extends Error {
  override readonly name = "SimulationInputError";
}

/** A process threw: carries the process name and the simulated time. */
export class ProcessFailure extends Error {
  override readonly name = "ProcessFailure";
  constructor(
    readonly processName: string,
    readonly time: number,
    override readonly cause: unknown,
  ) {
    super(`process '${processName}' failed at t=${time}: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

/** Thrown into a process at its yield point by `Process.interrupt(cause)`. */
export class Interrupt extends Error {
  override readonly name = "Interrupt";
  constructor(override readonly cause: unknown) {
    super(`interrupted: ${String(cause)}`);
  }
}
