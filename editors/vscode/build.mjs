// The one build script: bundles the extension into dist/extension.js with esbuild;
// with --tests, bundles the unit tests into out/test/ for `node --test`.
import * as esbuild from "esbuild";
import { readdirSync } from "node:fs";

const tests = process.argv.includes("--tests");

if (tests) {
  const entryPoints = readdirSync("test")
    .filter((f) => f.endsWith(".test.ts"))
    .map((f) => `test/${f}`);
  await esbuild.build({
    entryPoints,
    outdir: "out/test",
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    sourcemap: "inline",
    // The unit tests must never load VS Code: fail the build if they try.
    external: [],
    logLevel: "warning",
  });
  // The extension itself, for the activation test that loads it against a fake `vscode`.
  await esbuild.build({
    entryPoints: ["src/extension.ts"],
    outfile: "out/ext/extension.bundle.js",
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    external: ["vscode"],
    logLevel: "warning",
  });
} else {
  await esbuild.build({
    entryPoints: ["src/extension.ts"],
    outfile: "dist/extension.js",
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node18",
    external: ["vscode"],
    sourcemap: true,
    minify: process.argv.includes("--minify"),
    logLevel: "warning",
  });
}
