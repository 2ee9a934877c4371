#!/usr/bin/env node
/**
 * hrtsim's entry point: parse argv with effect/cli, run the command, exit with
 * 0 ok · 1 invalid input · 2 usage error · 3 internal failure · 4 some runs failed (see ./exit.ts).
 */
import { Effect } from "effect";
import { Command } from "effect/cli";
import { hrtsimVersion } from "../scenarios/package.js";
import { hrtsim } from "./commands.js";
import { exitCodeOf } from "./exit.js";
import { cliPlatform } from "./platform.js";

// A reader that stops early (`hrtsim schema | head`) closes the pipe: that ends the output, it is not a failure.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code !== "EPIPE") throw e;
  process.exit(0);
});

async function main(): Promise<void> {
  const program = Command.runWith(hrtsim, { version: hrtsimVersion() })(process.argv.slice(2)).pipe(
    Effect.provide(cliPlatform),
  );
  const exit = await Effect.runPromiseExit(program);
  process.exitCode = exitCodeOf(exit, (text) => process.stderr.write(text));
}

await main();
