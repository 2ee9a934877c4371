/**
 * Every built-in model registers here; importing this module makes them findable by name.
 * To add a model: create src/models/<name>/ exporting a ModelPlugin, then add one line below.
 */
import { registerModel } from "./registry.js";
import { mmcModel } from "./mmc/plugin.js";
import { hvmModel } from "./hvm/plugin.js";
import { microbenchModel } from "./microbench/plugin.js";
import { atScaleModel } from "./atscale/plugin.js";
import { bspModel } from "./bsp/plugin.js";
import { legionModel } from "./legion/plugin.js";

registerModel(mmcModel);
registerModel(hvmModel);
registerModel(microbenchModel);
registerModel(atScaleModel);
registerModel(bspModel);
registerModel(legionModel);

export { findModel, listModels } from "./registry.js";
export type * from "./plugin.js";
export { ModelRunError } from "./plugin.js";
