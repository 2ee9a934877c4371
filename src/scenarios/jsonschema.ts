/**
 * `hrtsim schema`: a JSON Schema (draft 2020-12) generated from the scenario Schema, with
 * `model` narrowed per registered model so editors can check and complete `model.params`.
 */
import { Schema } from "effect";
import { listModels } from "../models/index.js";
import { parameterCatalog, parametersJsonSchema } from "./catalog.js";
import { ScenarioSchema } from "./format.js";
import { generateJsonSchema } from "./json-schema-null.js";

type Json = Record<string, unknown>;


/** One alternative per model: its name as a constant and its own parameter schema. */
function modelVariants(definitions: Json): Json[] {
  return listModels().map((m) => {
    let params: Json = { type: "object" };
    try {
      const g = generateJsonSchema(m.paramsSchema as unknown as Schema.Top);
      params = g.schema;
      Object.assign(definitions, g.definitions);
    } catch {
      // A schema JSON Schema cannot express (e.g. a declared class) still validates at load time.
    }
    return {
      type: "object",
      description: m.description,
      properties: { name: { const: m.name }, params },
      required: ["name"],
      additionalProperties: false,
    };
  });
}

export async function scenarioJsonSchema(): Promise<Json> {
  const { schema, definitions } = generateJsonSchema(ScenarioSchema);
  const properties = { ...(schema.properties as Json) };
  properties.parameters = parametersJsonSchema(await parameterCatalog());
  const variants = modelVariants(definitions);
  if (variants.length) properties.model = { anyOf: variants };
  const out: Json = {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    title: "hrtsim scenario",
    description: "A scenario file for hrtsim (YAML or JSON). See src/scenarios/format.ts.",
    ...schema,
    properties,
  };
  if (Object.keys(definitions).length) out.$defs = definitions;
  return out;
}
