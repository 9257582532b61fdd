// Checks package.json against the code: activation, commands, every contributed
// setting mapped, and the severity codes equal to the server's catalogue
// (src/diagnostics/mod.rs `CODES`) when the extension sits in the digest-ls repo.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";

import { CLIENT_KEYS, SERVER_KEYS, SEVERITIES } from "../src/settings";

const root = path.resolve(__dirname, "..", "..");
const manifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
const properties: Record<string, { default?: unknown; description?: string; markdownDescription?: string; properties?: Record<string, { enum?: string[] }> }> =
  manifest.contributes.configuration.properties;

test("activates on Markdown and on digest-ls.toml", () => {
  assert.deepEqual(manifest.activationEvents, ["onLanguage:markdown", "workspaceContains:**/digest-ls.toml"]);
  assert.equal(manifest.main, "./dist/extension.js");
});

test("contributes the two commands", () => {
  const titles = manifest.contributes.commands.map((c: { category: string; title: string; command: string }) => [
    c.command,
    `${c.category}: ${c.title}`,
  ]);
  assert.deepEqual(titles, [
    ["digestLs.restartServer", "digest-ls: Restart server"],
    ["digestLs.showOutput", "digest-ls: Show output"],
  ]);
});

test("every setting has a description and a default, and is mapped or client-only", () => {
  const known = new Set([...Object.keys(SERVER_KEYS), ...CLIENT_KEYS].map((k) => `digestLs.${k}`));
  for (const [key, schema] of Object.entries(properties)) {
    assert.ok(known.has(key), `${key} is contributed but neither mapped nor client-only`);
    assert.ok(schema.description ?? schema.markdownDescription, `${key} has no description`);
    assert.ok("default" in schema, `${key} has no default`);
  }
  for (const key of known) assert.ok(key in properties, `${key} is mapped but not contributed`);
});

test("severity codes match the server's catalogue", (t) => {
  const rust = path.resolve(root, "..", "..", "src", "diagnostics", "mod.rs");
  if (!fs.existsSync(rust)) {
    t.skip("not inside the digest-ls repository");
    return;
  }
  const text = fs.readFileSync(rust, "utf8");
  const block = text.slice(text.indexOf("catalogue! {"));
  const codes = [...block.matchAll(/^\s*"([a-z0-9-]+)"\s+(Error|Warning|Information|Hint)\s/gm)].map((m) => m[1]);
  assert.ok(codes.length > 10, "could not read CODES from src/diagnostics/mod.rs");
  const severity = properties["digestLs.severity"]!.properties!;
  const listed = Object.keys(severity);
  const add = codes.filter((c) => !listed.includes(c));
  const remove = listed.filter((c) => !codes.includes(c));
  assert.ok(
    add.length === 0 && remove.length === 0,
    `editors/vscode/package.json digestLs.severity.properties must list the codes of src/diagnostics/mod.rs: ` +
      `add ${JSON.stringify(add)}, remove ${JSON.stringify(remove)} (run: cd editors/vscode && node scripts/sync-codes.mjs)`,
  );
  for (const [code, schema] of Object.entries(severity)) assert.deepEqual(schema.enum, [...SEVERITIES], code);
});

test("server defaults shown in the settings UI match src/config.rs", (t) => {
  const rust = path.resolve(root, "..", "..", "src", "config.rs");
  if (!fs.existsSync(rust)) {
    t.skip("not inside the digest-ls repository");
    return;
  }
  const text = fs.readFileSync(rust, "utf8");
  const required = /required_keys:\s*\[([^\]]*)\]/.exec(text);
  const lists = /reference_lists:\s*\[([^\]]*)\]/.exec(text);
  const strings = (m: RegExpExecArray | null) => [...(m?.[1] ?? "").matchAll(/"([^"]*)"/g)].map((x) => x[1]);
  assert.deepEqual(properties["digestLs.requiredKeys"]!.default, strings(required));
  assert.deepEqual(properties["digestLs.referenceLists"]!.default, strings(lists));
});

test("the mapped settings are exactly the server's Settings fields (src/config.rs)", (t) => {
  const rust = path.resolve(root, "..", "..", "src", "config.rs");
  if (!fs.existsSync(rust)) {
    t.skip("not inside the digest-ls repository");
    return;
  }
  const text = fs.readFileSync(rust, "utf8");
  const kebab = (s: string) => s.replace(/_/g, "-");
  const fields = (struct: string): [string, string][] => {
    const m = new RegExp(`pub struct ${struct} \\{([\\s\\S]*?)\\n\\}`).exec(text);
    assert.ok(m, `no struct ${struct} in src/config.rs`);
    return [...m[1]!.matchAll(/pub (\w+): Option<(.+)>,/g)].map((f) => [f[1]!, f[2]!]);
  };
  const keys: string[] = [];
  for (const [name, type] of fields("Settings")) {
    const nested = /^(\w+Settings)$/.exec(type);
    if (nested) for (const [sub] of fields(nested[1]!)) keys.push(`${kebab(name)}.${kebab(sub)}`);
    else keys.push(kebab(name));
  }
  assert.deepEqual(
    [...Object.values(SERVER_KEYS)].sort(),
    keys.sort(),
    "editors/vscode: src/settings.ts SERVER_KEYS (and package.json) must mirror src/config.rs Settings",
  );
});
