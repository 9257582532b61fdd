// Regenerates package.json `digestLs.severity.properties` from the server's diagnostic
// catalogue (src/diagnostics/mod.rs `CODES`): run `node scripts/sync-codes.mjs` in
// editors/vscode after adding or renaming a code (test/manifest.test.ts checks it).
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const rust = readFileSync(here("../../../src/diagnostics/mod.rs"), "utf8");
const block = rust.slice(rust.indexOf("catalogue! {"));
const codes = [...block.matchAll(/^\s*"([a-z0-9-]+)"\s+(?:Error|Warning|Information|Hint)\s+"((?:[^"\\]|\\.)*)";/gm)];
if (codes.length === 0) throw new Error("no codes found in src/diagnostics/mod.rs");

const manifestPath = here("../package.json");
const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
const properties = {};
for (const [, code, summary] of codes) {
  properties[code] = {
    type: "string",
    enum: ["error", "warning", "info", "hint", "off"],
    description: summary.replace(/\\"/g, '"'),
  };
}
manifest.contributes.configuration.properties["digestLs.severity"].properties = properties;
writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + "\n");
console.log(`package.json: ${codes.length} diagnostic codes`);
