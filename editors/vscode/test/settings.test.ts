// Unit tests for the mapping of VS Code `digestLs.*` settings to the server's
// configuration object (kebab-case keys of digest-ls.toml); runs under `node --test`.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  configurationAnswers,
  explicitValue,
  mergeAnswers,
  needsRestart,
  SERVER_KEYS,
  toServerSettings,
} from "../src/settings";

const reader = (values: Record<string, unknown>) => (key: string) => values[key];

test("nothing set: an empty object, so the server's defaults and digest-ls.toml apply", () => {
  assert.deepEqual(toServerSettings(reader({})), { settings: {}, problems: [] });
});

test("every setting maps to its kebab-case server key", () => {
  const { settings, problems } = toServerSettings(
    reader({
      include: ["content/**/*.md"],
      exclude: ["content/drafts/**"],
      requiredKeys: ["title", "date"],
      referenceLists: ["相关引用", "参考"],
      labels: { 幻灯片: "slides" },
      "tags.vocabulary": ["优化", "DPO"],
      severity: { "future-date": "off", "tag-typo": "warning" },
      "limits.frontMatterBytes": 65536,
      "limits.yamlDepth": 16,
      "limits.yamlNodes": 4096,
      "references.citedBeforeIgnore": ["网站", "Demo"],
      "references.labelHosts": { 代码: ["github.com", "git.example.org"], 文章: [] },
    }),
  );
  assert.deepEqual(problems, []);
  assert.deepEqual(settings, {
    include: ["content/**/*.md"],
    exclude: ["content/drafts/**"],
    "required-keys": ["title", "date"],
    "reference-lists": ["相关引用", "参考"],
    labels: { 幻灯片: "slides" },
    tags: { vocabulary: ["优化", "DPO"] },
    severity: { "future-date": "off", "tag-typo": "warning" },
    limits: { "front-matter-bytes": 65536, "yaml-depth": 16, "yaml-nodes": 4096 },
    references: {
      "cited-before-ignore": ["网站", "Demo"],
      "label-hosts": { 代码: ["github.com", "git.example.org"], 文章: [] },
    },
  });
  // The JSON the server receives uses exactly these keys.
  assert.equal(
    JSON.stringify(settings.limits),
    '{"front-matter-bytes":65536,"yaml-depth":16,"yaml-nodes":4096}',
  );
});

test("an empty list is sent (it is a real choice: no required keys)", () => {
  assert.deepEqual(toServerSettings(reader({ requiredKeys: [] })).settings, { "required-keys": [] });
});

test("null vocabulary and null limits mean 'not set'", () => {
  const { settings, problems } = toServerSettings(
    reader({ "tags.vocabulary": null, "limits.yamlDepth": null, labels: null, severity: null }),
  );
  assert.deepEqual(settings, {});
  assert.deepEqual(problems, []);
});

test("bad values are dropped with a readable problem, good ones kept", () => {
  const { settings, problems } = toServerSettings(
    reader({
      include: "content/**", // not a list
      requiredKeys: ["title", 3],
      labels: { 文章: "paper", 代码: 1 },
      severity: { "future-date": "loud", "tag-typo": "hint" },
      "limits.yamlDepth": -1,
      "limits.yamlNodes": 1.5,
      "references.labelHosts": { 代码: "github.com", 数据: ["hf.co/datasets"] },
    }),
  );
  assert.deepEqual(settings, {
    "required-keys": ["title"],
    labels: { 文章: "paper" },
    severity: { "tag-typo": "hint" },
    references: { "label-hosts": { 数据: ["hf.co/datasets"] } },
  });
  assert.equal(problems.length, 7, problems.join("\n"));
  assert.ok(problems.some((p) => p.includes("digestLs.severity.future-date") && p.includes("loud")));
  assert.ok(problems.some((p) => p.includes("digestLs.include")));
});

test("explicit values: folder beats workspace beats user; defaults are never sent", () => {
  assert.equal(explicitValue(undefined), undefined);
  assert.equal(explicitValue({}), undefined);
  assert.deepEqual(explicitValue({ globalValue: ["a"] }), ["a"]);
  assert.deepEqual(explicitValue({ globalValue: ["a"], workspaceValue: ["b"] }), ["b"]);
  assert.deepEqual(explicitValue({ globalValue: ["a"], workspaceValue: ["b"], workspaceFolderValue: ["c"] }), ["c"]);
});

test("only the server path needs a restart", () => {
  assert.equal(needsRestart("server.path"), true);
  for (const key of Object.keys(SERVER_KEYS)) assert.equal(needsRestart(key), false, key);
});

test("workspace/configuration: our section gets the server's keys, per scope; others fall back", () => {
  const seen: (string | undefined)[] = [];
  const answers = configurationAnswers(
    [{ section: "digestLs" }, { section: "editor" }, { section: "digestLs", scopeUri: "file:///site/a.md" }],
    (scope) => {
      seen.push(scope);
      return { "required-keys": [scope ?? "global"] };
    },
  );
  assert.deepEqual(seen, [undefined, "file:///site/a.md"]);
  assert.deepEqual(answers, [{ "required-keys": ["global"] }, undefined, { "required-keys": ["file:///site/a.md"] }]);
  assert.deepEqual(mergeAnswers(answers, [{ raw: 1 }, { tabSize: 4 }]), [
    { "required-keys": ["global"] },
    { tabSize: 4 },
    { "required-keys": ["file:///site/a.md"] },
  ]);
  assert.deepEqual(mergeAnswers([undefined], []), [null]);
});
