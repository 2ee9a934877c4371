/**
 * Parameter overrides in scenarios: the `parameters:` map, sweep keys that name a parameter
 * path (`x64.apic.accept`, `nautilus.config.kicks`) and `--set path=value`. Every override is
 * checked against the entries the model uses at each sweep point (its `parameterSpace` hook):
 * unknown paths (with a did-you-mean), wrong types, values outside the entry's domain, and
 * combinations the model cannot run (its `constraints` hook) are input problems, found at
 * `validate` — never at run time.
 */
import { interferenceScaleProblems } from "../models/hardware/machine-file.js";
import { checkOverride, type ParameterInfo, type ParameterOverrides } from "../models/hardware/overrides.js";
import type { ConstraintProblem, MachineFile, ModelPlugin } from "../models/index.js";
import { canonicalJson, decodeStrict, forbiddenSegment, type Params } from "./decode.js";
import { InputError, didYouMean, joinPath, lineColumn, locatedAt, type LineColumn, type Problem } from "./problems.js";
import type { SourceDoc } from "./source.js";

/** Scopes of built-in parameter files; a machine file adds its own machine name. */
export const BUILTIN_SCOPES: readonly string[] = ["x64", "phi", "nautilus", "linux", "hvm"];

/** The file name used for problems with command-line flags. */
export const COMMAND_LINE = "<command line>";

export function scopesOf(machine: MachineFile | undefined): string[] {
  return machine ? [...BUILTIN_SCOPES, machine.machine] : [...BUILTIN_SCOPES];
}

/** Does a sweep or `--set` key name a parameter-file entry (rather than a model parameter)? */
export function isOverrideKey(key: string, scopes: readonly string[]): boolean {
  return scopes.includes(key.slice(0, key.indexOf(".")));
}

/** Where an override was written: a document path (to locate it) or a command-line flag. */
export interface OverrideSite {
  readonly path: string;
  readonly value: unknown;
  readonly at: ReadonlyArray<PropertyKey> | "cli";
}

/** The parameter entries in use at each distinct decodable parameter set, by path. */
export function spaceOf(plugin: ModelPlugin, paramSets: readonly Params[], machine: MachineFile | undefined): Map<string, ParameterInfo[]> {
  const space = new Map<string, ParameterInfo[]>();
  if (!plugin.parameterSpace) return space;
  const seen = new Set<string>();
  for (const params of paramSets) {
    const key = canonicalJson(params);
    if (seen.has(key)) continue;
    seen.add(key);
    const r = decodeStrict(plugin.paramsSchema, params);
    if (!r.ok) continue; // reported by the parameter check
    for (const info of plugin.parameterSpace(r.value, machine)) {
      const list = space.get(info.path) ?? [];
      if (!list.some((i) => canonicalJson(i.value) === canonicalJson(info.value) && i.unit === info.unit)) list.push(info);
      space.set(info.path, list);
    }
  }
  return space;
}

function siteProblem(src: SourceDoc, site: OverrideSite, p: Omit<Problem, "file" | "path">): Problem {
  if (site.at === "cli") return { file: COMMAND_LINE, path: `--set ${site.path}`, ...p };
  return { ...locatedAt(src, site.at), ...p };
}

/**
 * Problems with each override: reserved segment, unknown path, wrong type, value outside the
 * entry's domain, a machine file's interference scale that leaves no CPU time. `paramsValid`
 * false (some model parameters do not decode, a problem reported already): the space misses
 * those points' entries, so no path is called unknown.
 */
export function checkSites(
  src: SourceDoc, plugin: ModelPlugin, space: ReadonlyMap<string, readonly ParameterInfo[]>, sites: readonly OverrideSite[], machine?: MachineFile, paramsValid = true,
): Problem[] {
  const problems: Problem[] = [];
  for (const site of sites) {
    const reserved = forbiddenSegment(site.path);
    if (reserved !== undefined) {
      problems.push(siteProblem(src, site, { message: `"${reserved}" may not be a path segment`, expected: "<scope>.<parameter name>", found: JSON.stringify(site.path) }));
      continue;
    }
    if (!plugin.parameterSpace) {
      problems.push(siteProblem(src, site, { message: `model "${plugin.name}" takes no parameter overrides`, found: JSON.stringify(site.path), hint: "remove it" }));
      continue;
    }
    const infos = space.get(site.path);
    if (infos === undefined && !paramsValid) continue;
    if (infos === undefined) {
      const name = site.path.slice(site.path.indexOf(".") + 1);
      const sameName = [...space.keys()].find((k) => k.slice(k.indexOf(".") + 1) === name);
      const hint = didYouMean(site.path, space.keys()) ?? (sameName ? `did you mean "${sameName}"?` : undefined);
      const scopes = [...new Set([...space.values()].map((i) => i[0]!.scope))];
      problems.push(siteProblem(src, site, {
        message: "unknown parameter",
        expected: scopes.length > 0 ? `a parameter this scenario uses, <scope>.<name> with scope ${scopes.join(", ")}` : "none: with these model parameters the model reads no parameter-file entries",
        found: JSON.stringify(site.path), hint: hint ?? `\`hrtsim params --model ${plugin.name} --set <key>=<value> …\` with this scenario's model.params lists them`,
      }));
      continue;
    }
    const bad = infos.map((info) => ({ info, bad: checkOverride(info, site.value) })).find((c) => c.bad !== undefined);
    if (bad) {
      problems.push(siteProblem(src, site, { message: `${bad.bad!.message} for ${bad.info.path} (${bad.info.kind}, ${bad.info.unit})`, expected: bad.bad!.expected, found: bad.bad!.found }));
    } else if (machine !== undefined && site.path === `${machine.machine}.interference.scale`) {
      // The machine file's own value is checked with the file; an override must leave CPU time too.
      for (const p of interferenceScaleProblems(machine, site.value)) problems.push(siteProblem(src, site, { message: `${p.message} in the machine file's ${p.path}`, expected: p.expected, found: p.found }));
    }
  }
  return problems;
}

/** A combination the model cannot run, as a problem at `path` of `file` (a scenario's, or the command line's). */
export function constraintProblem(c: ConstraintProblem, file: string, path: string, pos?: LineColumn): Problem {
  return { file, path, ...lineColumn(pos), message: `impossible combination: ${c.message}`, expected: c.expected, found: c.found };
}

/** One sweep point as the constraint check sees it: the index of its value on each swept key. */
export interface ConstraintPoint {
  readonly params: Params;
  readonly overrides: ParameterOverrides;
  readonly sweepIndex: Readonly<Record<string, number>>;
}

/** Combinations the model cannot run, at each point and experiment: located at the model parameter, override (`parameters`) or sweep key they name. */
export function checkConstraints(
  src: SourceDoc, plugin: ModelPlugin, points: readonly ConstraintPoint[], machine: MachineFile | undefined, experiments: readonly string[],
): Problem[] {
  if (!plugin.constraints) return [];
  const seen = new Map<string, Problem>();
  for (const { params, overrides, sweepIndex } of points) {
    const r = decodeStrict(plugin.paramsSchema, params);
    if (!r.ok) continue;
    for (const experiment of experiments) {
      for (const c of plugin.constraints(r.value, overrides, machine, experiment)) {
        const swept = (src.value as { sweep?: Record<string, unknown> }).sweep?.[c.path] !== undefined;
        const set = Object.hasOwn((src.value as { parameters?: object }).parameters ?? {}, c.path);
        const index = sweepIndex[c.path];
        const at = c.path === "machineFile" ? ["machineFile"] : swept ? ["sweep", c.path, ...(index === undefined ? [] : [index])] : set ? ["parameters", c.path] : undefined;
        const p = constraintProblem(c, src.file, joinPath(at ?? ["model", "params", c.path]), at ? src.locate(at) : locateParam(src, c.path));
        seen.set(`${p.path}\u0000${p.message}\u0000${p.found}`, p);
      }
    }
  }
  return [...seen.values()];
}

/** A model parameter's position; a dotted path (`costs.svm.vmexit`) may name a key that has dots itself, else its first segment's. */
function locateParam(src: SourceDoc, path: string): ReturnType<SourceDoc["locate"]> {
  const dot = path.indexOf(".");
  if (dot < 0) return src.locate(["model", "params", path]);
  return src.locate(["model", "params", path.slice(0, dot), path.slice(dot + 1)]) ?? src.locate(["model", "params", path.slice(0, dot)]);
}

/** `--set` values as overrides of a scenario document: merged into its `parameters` map (so the journal keeps them). */
export function withSetParameters(raw: unknown, sets: ParameterOverrides): unknown {
  if (Object.keys(sets).length === 0 || raw === null || typeof raw !== "object" || Array.isArray(raw)) return raw;
  const doc = raw as Record<string, unknown>;
  const own = doc.parameters !== null && typeof doc.parameters === "object" ? (doc.parameters as Record<string, unknown>) : {};
  return { ...doc, parameters: { ...own, ...sets } };
}

/**
 * `--set` on `run`/`figures`: each path applies to the scenarios that use it (a Linux path does
 * not touch an M/M/1 queue); a path no scenario uses, or a key that is no parameter path, is an
 * input problem. Returns the sets per scenario index.
 */
export function splitSets(
  sets: ParameterOverrides, scenarios: ReadonlyArray<{ readonly space: ReadonlyMap<string, unknown>; readonly machine?: MachineFile }>,
): ParameterOverrides[] {
  const problems: Problem[] = [];
  const per = scenarios.map(() => ({}) as Record<string, unknown>);
  const known = new Set(scenarios.flatMap((s) => [...s.space.keys()]));
  const scopes = new Set(scenarios.flatMap((s) => scopesOf(s.machine)));
  for (const [path, value] of Object.entries(sets)) {
    const reserved = forbiddenSegment(path);
    const users = scenarios.flatMap((s, i) => (s.space.has(path) ? [i] : []));
    if (reserved !== undefined || !isOverrideKey(path, [...scopes]) || users.length === 0) {
      const hint = didYouMean(path, known);
      problems.push({
        file: COMMAND_LINE, path: `--set ${path}`,
        message: reserved !== undefined ? `"${reserved}" may not be a path segment` : !isOverrideKey(path, [...scopes]) ? "not a parameter path" : "no scenario here uses this parameter",
        expected: `<scope>.<name>, scope one of ${[...scopes].join(", ")}`, found: JSON.stringify(path),
        hint: hint ?? "`hrtsim params` lists the parameters (model parameters go in the scenario's model.params)",
      });
      continue;
    }
    for (const i of users) per[i]![path] = value;
  }
  if (problems.length > 0) throw new InputError(problems);
  return per;
}

/**
 * What produced a scenario's numbers besides its sweep: the overrides in force and the value of
 * every kernel/HVM option (`config.*` entries and on/off entries), e.g.
 * `nautilus.config.kicks = 0 (default)`, `x64.apic.accept = {"scale":2} (override)`.
 */
export function configurationOf(overrides: ParameterOverrides, space: ReadonlyMap<string, readonly ParameterInfo[]>): string[] {
  const lines = Object.entries(overrides).map(([k, v]) => `${k} = ${JSON.stringify(v)} (override)`);
  for (const [path, infos] of space) {
    if (Object.hasOwn(overrides, path) || !infos.some((i) => i.kind === "flag" || i.name.startsWith("config."))) continue;
    lines.push(`${path} = ${[...new Set(infos.map((i) => JSON.stringify(i.value)))].join(" | ")} (default)`);
  }
  return lines;
}
