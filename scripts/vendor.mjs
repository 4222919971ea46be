// Copies the ready-built bundles of the front-end libraries from node_modules into
// web/static/vendor, which git ignores: third-party code is installed, never committed.
import { cpSync, mkdirSync } from "node:fs";

const target = "web/static/vendor/bpmn-js";
mkdirSync(target, { recursive: true });
for (const file of [
  "bpmn-modeler.production.min.js",
  "bpmn-navigated-viewer.production.min.js",
]) {
  cpSync(`node_modules/bpmn-js/dist/${file}`, `${target}/${file}`);
}
cpSync("node_modules/bpmn-js/dist/assets", `${target}/assets`, { recursive: true });
console.log(`bpmn-js bundles copied to ${target}`);
