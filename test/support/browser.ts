/**
 * A headless Chromium for the report test: the one inside the npm package @sparticuz/chromium
 * (installed by `npm ci`, nothing downloaded at test time), else a system `chromium` (Debian's,
 * installed by .ci/run when the packaged one cannot start). No browser is a failure with the
 * reasons, never a skip.
 */
import { existsSync } from "node:fs";
import { chromium as playwright, type Browser } from "playwright-core";

const SYSTEM_CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

export async function launchChromium(): Promise<Browser> {
  const reasons: string[] = [];
  try {
    const packaged = (await import("@sparticuz/chromium")).default;
    return await playwright.launch({ executablePath: await packaged.executablePath(), args: packaged.args, headless: true });
  } catch (e) {
    reasons.push(`@sparticuz/chromium: ${(e as Error).message.split("\n")[0]}`);
  }
  for (const path of SYSTEM_CHROMIUM.filter((p) => existsSync(p))) {
    try {
      return await playwright.launch({ executablePath: path, args: ["--no-sandbox"], headless: true });
    } catch (e) {
      reasons.push(`${path}: ${(e as Error).message.split("\n")[0]}`);
    }
  }
  if (reasons.length === 1) reasons.push(`no system Chromium at ${SYSTEM_CHROMIUM.join(", ")} (.ci/run installs Debian's chromium)`);
  throw new Error(`no headless Chromium could be started:\n  ${reasons.join("\n  ")}`);
}
