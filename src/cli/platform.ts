/**
 * The services effect/cli asks for, provided by hand: hrtsim's commands parse argv and print
 * through Console; they never prompt, spawn or read files through Effect. This replaces
 * @effect/platform-node, whose 4.x releases declare Node ≥ 22.19 while hrtsim supports Node 20.
 * Anything the parser should never reach dies with a message naming the service.
 */
import { Effect, FileSystem, Layer, Path, Stdio, Stream, Sink, Terminal } from "effect";
import { ChildProcessSpawner } from "effect/process";

const unused = (what: string) => Effect.die(new Error(`hrtsim's CLI does not provide ${what}`));

const terminal = Terminal.make({
  columns: Effect.sync(() => process.stdout.columns ?? 80),
  rows: Effect.sync(() => process.stdout.rows ?? 24),
  size: unused("terminal resize events"),
  readInput: unused("terminal input"),
  readLine: unused("terminal input"),
  display: (text) => Effect.sync(() => void process.stdout.write(text)),
});

const writer = (stream: NodeJS.WriteStream) => () =>
  Sink.forEach((chunk: string | Uint8Array) => Effect.sync(() => void stream.write(chunk)));

const stdio = Stdio.make({
  args: Effect.sync(() => process.argv.slice(2)),
  stdinIsTerminal: Effect.sync(() => process.stdin.isTTY === true),
  stdoutIsTerminal: Effect.sync(() => process.stdout.isTTY === true),
  stderrIsTerminal: Effect.sync(() => process.stderr.isTTY === true),
  stdout: writer(process.stdout),
  stderr: writer(process.stderr),
  stdin: Stream.empty,
});

export const cliPlatform = Layer.mergeAll(
  FileSystem.layerNoop({}),
  Path.layer,
  Layer.succeed(Stdio.Stdio, stdio),
  Layer.succeed(Terminal.Terminal, terminal),
  Layer.succeed(ChildProcessSpawner.ChildProcessSpawner, ChildProcessSpawner.make(() => unused("child processes"))),
);
