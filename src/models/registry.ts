/** Name → model plug-in. */
import type { ModelPlugin } from "./plugin.js";

const models = new Map<string, ModelPlugin>();

export function registerModel(plugin: ModelPlugin): void {
  if (models.has(plugin.name)) throw new Error(`model '${plugin.name}' is registered twice`);
  models.set(plugin.name, plugin);
}

export function findModel(name: string): ModelPlugin | undefined {
  return models.get(name);
}

/** Registered models, sorted by name. */
export function listModels(): ModelPlugin[] {
  return [...models.values()].sort((a, b) => a.name.localeCompare(b.name));
}
