/** Every scenario shown in a README (a ```yaml block with a top-level `name:`) passes `validate`: documented examples cannot drift from the format. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { hrtsim, tempDir, writeText } from "./cli-helpers.js";
import { packageRoot } from "../src/scenarios/package.js";

const DOCS = ["README.md", "src/scenarios/README.md", "src/models/atscale/README.md", "src/models/hvm/README.md", "src/models/microbench/README.md"];

test("the scenario examples in the READMEs validate", async () => {
  const dir = await tempDir();
  for (const doc of DOCS) {
    const text = await readFile(join(packageRoot(), doc), "utf8");
    const blocks = [...text.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map((m) => m[1]!).filter((b) => /^name:/m.test(b));
    assert.ok(blocks.length >= 1, `${doc} shows a scenario`);
    for (const [i, block] of blocks.entries()) {
      const file = await writeText(dir, `${doc.replaceAll("/", "_")}-${i}.yaml`, block);
      const r = await hrtsim(["validate", file]);
      assert.is(r.code, 0, `${doc}, example ${i + 1}: ${r.stderr}`);
    }
  }
});

test.run();
