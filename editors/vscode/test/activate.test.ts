// Loads the bundled extension against a fake `vscode` module and checks activation
// when no server binary exists: exactly one error notification per attempt (activation,
// the restart command, a changed digestLs.server.path), no client, no retry loop.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import Module from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";

type Listener = (event: { affectsConfiguration(section: string): boolean }) => void;

function fakeVscode(settings: Record<string, unknown>) {
  const errors: string[] = [];
  const commands = new Map<string, (...args: unknown[]) => unknown>();
  const configListeners: Listener[] = [];
  const output: string[] = [];
  const disposable = { dispose() {} };
  // Classes vscode-languageclient extends when it loads.
  class Base {}
  const api = {
    CompletionItem: Base,
    CodeLens: Base,
    DocumentLink: Base,
    CodeAction: Base,
    Diagnostic: Base,
    CallHierarchyItem: Base,
    TypeHierarchyItem: Base,
    SymbolInformation: Base,
    InlayHint: Base,
    CancellationError: class extends Error {},
    Disposable: class {
      static from() {
        return disposable;
      }
      dispose() {}
    },
    EventEmitter: class {
      event = () => disposable;
      fire() {}
      dispose() {}
    },
    Uri: { parse: (s: string) => ({ toString: () => s, fsPath: s, scheme: "file" }) },
    window: {
      createOutputChannel: () => ({ appendLine: (l: string) => output.push(l), show() {}, dispose() {} }),
      showErrorMessage: (message: string) => {
        errors.push(message);
        return Promise.resolve(undefined);
      },
    },
    commands: {
      registerCommand: (id: string, fn: (...args: unknown[]) => unknown) => {
        commands.set(id, fn);
        return disposable;
      },
      executeCommand: () => Promise.resolve(),
    },
    workspace: {
      workspaceFolders: undefined,
      getConfiguration: () => ({
        get: (key: string, def?: unknown) => (key in settings ? settings[key] : def),
        inspect: (key: string) => (key in settings ? { globalValue: settings[key] } : {}),
      }),
      onDidChangeConfiguration: (listener: Listener) => {
        configListeners.push(listener);
        return disposable;
      },
      createFileSystemWatcher: () => ({ dispose() {} }),
    },
  };
  return { api, errors, commands, configListeners, output };
}

function loadExtension(vscode: unknown) {
  const mod = Module as unknown as { _load: (req: string, ...rest: unknown[]) => unknown };
  const original = mod._load;
  mod._load = function (req: string, ...rest: unknown[]) {
    if (req === "vscode") return vscode;
    return original.call(this, req, ...rest);
  };
  try {
    const file = path.join(__dirname, "..", "ext", "extension.bundle.js");
    delete require.cache[file];
    return require(file) as { activate(ctx: unknown): Promise<void>; deactivate(): Promise<void> };
  } finally {
    mod._load = original;
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

test("no server anywhere: one clear error per attempt, no client", async () => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), "digest-ls-empty-"));
  const savedPath = process.env.PATH;
  process.env.PATH = empty;
  try {
    const settings: Record<string, unknown> = { "server.path": "" };
    const fake = fakeVscode(settings);
    const ext = loadExtension(fake.api);
    const context = { extensionPath: path.join(empty, "ext"), subscriptions: [] as unknown[] };

    await ext.activate(context);
    await settle();
    assert.equal(fake.errors.length, 1, fake.errors.join("\n"));
    assert.match(fake.errors[0]!, /not found/);
    assert.match(fake.errors[0]!, /digestLs\.server\.path/);
    assert.ok(fake.commands.has("digestLs.restartServer"));
    assert.ok(fake.commands.has("digestLs.showOutput"));

    // Nothing retries by itself.
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(fake.errors.length, 1);

    // The restart command tries again, once.
    await fake.commands.get("digestLs.restartServer")!();
    await settle();
    assert.equal(fake.errors.length, 2);

    // A server-side setting change with no client running: no new error.
    for (const l of fake.configListeners) l({ affectsConfiguration: (s) => s === "digestLs" || s === "digestLs.severity" });
    await settle();
    assert.equal(fake.errors.length, 2);

    // A changed server path: one attempt, and the message names the bad path.
    settings["server.path"] = path.join(empty, "nope", "digest-ls");
    for (const l of fake.configListeners) l({ affectsConfiguration: (s) => s === "digestLs" || s === "digestLs.server.path" });
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(fake.errors.length, 3, fake.errors.join("\n"));
    assert.ok(fake.errors[2]!.includes(path.join(empty, "nope", "digest-ls")), fake.errors[2]);

    await ext.deactivate();
    assert.ok(fake.output.some((l) => l.includes("not found")), "the error is also in the output channel");
  } finally {
    process.env.PATH = savedPath;
  }
});
