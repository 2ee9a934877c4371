/**
 * Issue 13 §1: a binary planted where `measure` builds its harness is never run — neither
 * from a directory other users can write to, nor when its bytes differ from what was built.
 */
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { buildHarness, harnessSourceHash, hasCompiler } from "../src/scenarios/measure.js";
import { UnsafeCacheError, defaultCacheDir } from "../src/scenarios/native-cache.js";

const ccAvailable = await hasCompiler();

/** A "harness" that, if ever run, leaves a marker file. */
async function plant(dir: string, marker: string): Promise<void> {
  for (const name of ["harness", "hello"]) {
    await writeFile(path.join(dir, name), `#!/bin/sh\ntouch ${marker}\n`, { mode: 0o755 });
  }
  const hash = await harnessSourceHash();
  await writeFile(path.join(dir, "build.json"), JSON.stringify({ hash, cc: "cc", compiler: "planted", helloLink: "static" }));
}

test("the default build directory is under the user's cache dir, not the shared tmp", async () => {
  const dir = defaultCacheDir(await harnessSourceHash());
  assert.not.ok(dir.startsWith(os.tmpdir() + path.sep), dir);
  assert.ok(dir.includes(`${path.sep}hrtsim${path.sep}native-`), dir);
});

test("a build directory open to other users is refused before anything in it runs", async () => {
  const root = await mkdtemp(path.join(os.tmpdir(), "hrtsim-plant-"));
  try {
    const dir = path.join(root, "cache");
    const marker = path.join(root, "ran");
    await mkdir(dir);
    await plant(dir, marker);
    await chmod(dir, 0o777);
    const err = await buildHarness({ cacheDir: dir }).then(() => undefined, (e: unknown) => e);
    assert.instance(err, UnsafeCacheError);
    assert.match((err as Error).message, /open to other users \(mode 777\)/);
    assert.not.ok(existsSync(marker), "the planted binary did not run");
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test("a build directory that is a symbolic link is refused", async () => {
  const root = await mkdtemp(path.join(os.tmpdir(), "hrtsim-plant-"));
  try {
    const elsewhere = await mkdtemp(path.join(os.tmpdir(), "hrtsim-plant-target-"));
    await symlink(elsewhere, path.join(root, "cache"));
    const err = await buildHarness({ cacheDir: path.join(root, "cache") }).then(() => undefined, (e: unknown) => e);
    assert.instance(err, UnsafeCacheError);
    assert.match((err as Error).message, /symbolic link/);
    await rm(elsewhere, { recursive: true, force: true });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

(ccAvailable ? test : test.skip)("a binary swapped after the build is detected by its hash and rebuilt, never run", async () => {
  const root = await mkdtemp(path.join(os.tmpdir(), "hrtsim-plant-"));
  try {
    const dir = path.join(root, "cache");
    const first = await buildHarness({ cacheDir: dir });
    const stamp = await readFile(path.join(dir, "build.json"), "utf8");
    const marker = path.join(root, "ran");
    await writeFile(first.harness, `#!/bin/sh\ntouch ${marker}\n`, { mode: 0o755 }); // same name, build.json untouched
    const again = await buildHarness({ cacheDir: dir });
    assert.is(again.binaries?.harness, first.binaries?.harness, "rebuilt to the same bytes");
    assert.not.ok((await readFile(again.harness, "utf8").catch(() => "")).includes(marker), "the planted script is gone");
    assert.is(JSON.parse(stamp).binaries.harness, first.binaries?.harness);
    assert.not.ok(existsSync(marker));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test.run();
