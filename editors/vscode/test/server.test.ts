// Talks to the real digest-ls binary the way the extension's client does (utf-16 only,
// settings from toServerSettings as initializationOptions and as the workspace/
// configuration answer) and checks the server accepts them: no "invalid settings"
// warning, a severity override applied, utf-16 columns. Skipped when no binary is built.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from "vscode-jsonrpc/node";

import { configurationAnswers, toServerSettings } from "../src/settings";

const repo = path.resolve(__dirname, "..", "..", "..", "..");
const server = process.env.DIGEST_LS_SERVER ?? path.join(repo, "target", "debug", "digest-ls");

interface Diagnostic {
  code?: string;
  severity?: number;
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
}

test("the server accepts every mapped setting, as VS Code's client sends them", { skip: !fs.existsSync(server) && `no server at ${server}` }, async () => {
  const site = fs.mkdtempSync(path.join(os.tmpdir(), "digest-ls-vscode-site-"));
  fs.writeFileSync(path.join(site, "hugo.toml"), 'title = "t"\n');
  const { settings, problems } = toServerSettings(
    (key) =>
      ({
        include: ["content/**/*.md"],
        exclude: ["content/drafts/**"],
        requiredKeys: ["title", "date", "tags"],
        referenceLists: ["相关引用", "相关模型"],
        labels: { 幻灯片: "slides" },
        "tags.vocabulary": null,
        severity: { "duplicate-tag": "error", "future-date": "off" },
        "limits.frontMatterBytes": 65536,
        "limits.yamlDepth": 32,
        "limits.yamlNodes": 10000,
        "references.citedBeforeIgnore": ["网站"],
        "references.labelHosts": { 代码: ["github.com"] },
      })[key],
  );
  assert.deepEqual(problems, []);

  const child = spawn(server, ["--stdio"], { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const asked: unknown[] = [];
  connection.onRequest("workspace/configuration", (params: { items: { section?: string; scopeUri?: string }[] }) => {
    asked.push(params);
    return configurationAnswers(params.items, () => settings).map((a) => a ?? null);
  });
  connection.onRequest(() => null); // registrations, progress
  const published = new Map<string, Diagnostic[]>();
  connection.onNotification("textDocument/publishDiagnostics", (p: { uri: string; diagnostics: Diagnostic[] }) => {
    published.set(p.uri, p.diagnostics);
  });
  connection.listen();

  try {
    const root = pathToFileURL(site).toString();
    const init = (await connection.sendRequest("initialize", {
      processId: process.pid,
      rootUri: root,
      workspaceFolders: [{ uri: root, name: "site" }],
      capabilities: {
        general: { positionEncodings: ["utf-16"] },
        workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true } },
        textDocument: { synchronization: { dynamicRegistration: true }, completion: { completionItem: { snippetSupport: true } } },
      },
      initializationOptions: settings,
    })) as { capabilities: { positionEncoding?: string } };
    assert.ok(init.capabilities.positionEncoding === undefined || init.capabilities.positionEncoding === "utf-16");
    await connection.sendNotification("initialized", {});

    const uri = "untitled:Untitled-1";
    const text = '---\ntitle: "测试 🚀"\ndate: 2024-07-05T19:31:56+08:00\ntags: ["🚀 火箭", "优化", "优化"]\n---\n';
    await connection.sendNotification("textDocument/didOpen", {
      textDocument: { uri, languageId: "markdown", version: 1, text },
    });
    const deadline = Date.now() + 10000;
    let dup: Diagnostic | undefined;
    while (Date.now() < deadline) {
      dup = published.get(uri)?.find((d) => d.code === "duplicate-tag" && d.severity === 1);
      if (dup !== undefined && asked.length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.ok(dup, `no duplicate-tag error; published: ${JSON.stringify(published.get(uri))}; stderr:\n${stderr}`);
    // `tags: ["🚀 火箭", "优化", "优化"]`: the second "优化" is at utf-16 units 22..26
    // (quotes in) or 23..25 (quotes out); 🚀 counts two units.
    const { start, end } = dup.range;
    assert.equal(start.line, 3);
    assert.ok(
      (start.character === 22 && end.character === 26) || (start.character === 23 && end.character === 25),
      JSON.stringify(dup.range),
    );
    assert.ok(asked.length > 0, "the server never asked workspace/configuration");
    assert.doesNotMatch(stderr, /invalid settings/i, stderr);

    await connection.sendRequest("shutdown");
    await connection.sendNotification("exit");
    const code = await new Promise<number | null>((resolve) => {
      if (child.exitCode !== null) resolve(child.exitCode);
      else child.on("exit", (c) => resolve(c));
    });
    assert.equal(code, 0);
  } finally {
    connection.dispose();
    child.kill();
  }
});
