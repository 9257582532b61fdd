// Unit tests for the server resolution (setting, bundled binary, PATH, missing),
// with fake and real executables in a temp folder; runs under `node --test`.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";

import { bundledPath, expandConfiguredPath, resolveServer, searchPath } from "../src/serverPath";

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "digest-ls-vscode-"));
}

function makeExecutable(file: string, mode = 0o755): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, "#!/bin/sh\necho digest-ls 0.0.0\n");
  fs.chmodSync(file, mode);
  return file;
}

test("the setting wins over the bundled binary and PATH", () => {
  const dir = tempDir();
  const ext = path.join(dir, "ext");
  makeExecutable(bundledPath(ext, "linux"));
  const bin = path.join(dir, "bin");
  makeExecutable(path.join(bin, "digest-ls"));
  const custom = makeExecutable(path.join(dir, "custom", "digest-ls"));
  const r = resolveServer({ configuredPath: custom, extensionPath: ext, envPath: bin, platform: "linux" });
  assert.deepEqual(r, { kind: "setting", path: custom });
});

test("the bundled binary wins over PATH", () => {
  const dir = tempDir();
  const ext = path.join(dir, "ext");
  const bundled = makeExecutable(path.join(ext, "server", "digest-ls"));
  const bin = path.join(dir, "bin");
  makeExecutable(path.join(bin, "digest-ls"));
  const r = resolveServer({ configuredPath: "", extensionPath: ext, envPath: bin, platform: "linux" });
  assert.deepEqual(r, { kind: "bundled", path: bundled });
});

test("PATH is searched in order, skipping non-executable files", { skip: process.platform === "win32" }, () => {
  const dir = tempDir();
  const a = path.join(dir, "a");
  const b = path.join(dir, "b");
  makeExecutable(path.join(a, "digest-ls"), 0o644); // not executable
  const good = makeExecutable(path.join(b, "digest-ls"));
  const r = resolveServer({ extensionPath: path.join(dir, "ext"), envPath: `${a}::${b}`, platform: "linux" });
  assert.deepEqual(r, { kind: "path", path: good });
});

test("a folder named digest-ls is not the server", () => {
  const dir = tempDir();
  fs.mkdirSync(path.join(dir, "bin", "digest-ls"), { recursive: true });
  const r = resolveServer({ extensionPath: path.join(dir, "ext"), envPath: path.join(dir, "bin"), platform: "linux" });
  assert.equal(r.kind, "missing");
});

test("nothing found: one message that says how to fix it", () => {
  const dir = tempDir();
  const r = resolveServer({ extensionPath: path.join(dir, "ext"), envPath: path.join(dir, "empty"), platform: "linux" });
  assert.equal(r.kind, "missing");
  if (r.kind !== "missing") return;
  assert.match(r.message, /digestLs\.server\.path/);
  assert.match(r.message, /PATH/);
  assert.match(r.message, /cargo install/);
  assert.match(r.message, /Restart server/);
  assert.deepEqual(r.tried, [path.join(dir, "ext", "server", "digest-ls"), "digest-ls on PATH"]);
});

test("a configured path that is not executable is reported, with no fall-back", () => {
  const dir = tempDir();
  const ext = path.join(dir, "ext");
  makeExecutable(bundledPath(ext, "linux"));
  const wrong = path.join(dir, "nope", "digest-ls");
  const r = resolveServer({ configuredPath: wrong, extensionPath: ext, platform: "linux" });
  assert.equal(r.kind, "missing");
  if (r.kind !== "missing") return;
  assert.ok(r.message.includes(wrong), r.message);
  assert.match(r.message, /digestLs\.server\.path/);
});

test("a bare name in the setting is looked up on PATH", () => {
  const dir = tempDir();
  const bin = path.join(dir, "bin");
  const nightly = makeExecutable(path.join(bin, "digest-ls-nightly"));
  const r = resolveServer({ configuredPath: "digest-ls-nightly", extensionPath: dir, envPath: bin, platform: "linux" });
  assert.deepEqual(r, { kind: "setting", path: nightly });
});

test("~, ${userHome} and ${workspaceFolder} are expanded; relative paths use the workspace", () => {
  assert.equal(expandConfiguredPath("~/bin/digest-ls", "/ws", "/home/u"), path.join("/home/u", "bin/digest-ls"));
  assert.equal(expandConfiguredPath("${userHome}/x", "/ws", "/home/u"), "/home/u/x");
  assert.equal(expandConfiguredPath("${workspaceFolder}/target/debug/digest-ls", "/ws", "/h"), "/ws/target/debug/digest-ls");
  assert.equal(expandConfiguredPath("target/release/digest-ls", "/ws", "/h"), path.join("/ws", "target/release/digest-ls"));
  assert.equal(expandConfiguredPath("  /abs/digest-ls  ", "/ws", "/h"), "/abs/digest-ls");
});

test("Windows: .exe names, ';' separators and PATHEXT", () => {
  const seen: string[] = [];
  const exists = new Set([path.join("C:\\tools", "digest-ls.EXE")]);
  const found = searchPath("digest-ls", "C:\\nothing;C:\\tools", "win32", (f) => (seen.push(f), exists.has(f)), ".COM;.EXE");
  assert.equal(found, path.join("C:\\tools", "digest-ls.EXE"));
  assert.ok(seen.length >= 3);
  assert.ok(bundledPath("/ext", "win32").endsWith("digest-ls.exe"));
});

test("a real executable on a real PATH is found with the default check", { skip: process.platform === "win32" }, () => {
  const dir = tempDir();
  const bin = makeExecutable(path.join(dir, "bin", "digest-ls"));
  const r = resolveServer({ extensionPath: path.join(dir, "ext"), envPath: `/nonexistent:${path.dirname(bin)}` });
  assert.deepEqual(r, { kind: "path", path: bin });
});

test("a bundled binary that lost its execute bit is repaired, not skipped", { skip: process.platform === "win32" }, () => {
  const dir = tempDir();
  const ext = path.join(dir, "ext");
  const bundled = makeExecutable(path.join(ext, "server", "digest-ls"), 0o644);
  const r = resolveServer({ extensionPath: ext, envPath: "" });
  assert.deepEqual(r, { kind: "bundled", path: bundled });
  assert.ok((fs.statSync(bundled).mode & 0o111) !== 0);
});

test("a missing bundled binary is not created by the repair", () => {
  const dir = tempDir();
  const r = resolveServer({ extensionPath: path.join(dir, "ext"), envPath: "" });
  assert.equal(r.kind, "missing");
  assert.equal(fs.existsSync(path.join(dir, "ext", "server", "digest-ls")), false);
});
