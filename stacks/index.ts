import { engineConfigSource } from "./config-reader";
import { definePlatform } from "./platform";

// The program's entry point: read and validate the stack's configuration, then describe its platform.
// Exported values become the stack outputs.
const outputs = definePlatform(engineConfigSource());
export = outputs;
