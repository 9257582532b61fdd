// Maps the VS Code settings `digestLs.*` (camelCase) to the server's configuration
// object (the kebab-case keys of digest-ls.toml), sent as `initializationOptions`
// and as the answer to `workspace/configuration` for the section `digestLs`.
// Pure TypeScript (no `vscode` import) so that `node --test` can exercise it.

/** The configuration object digest-ls reads (same keys as `digest-ls.toml`). */
export interface ServerSettings {
  include?: string[];
  exclude?: string[];
  "required-keys"?: string[];
  "reference-lists"?: string[];
  labels?: Record<string, string>;
  tags?: { vocabulary?: string[] };
  severity?: Record<string, Severity>;
  limits?: { "front-matter-bytes"?: number; "yaml-depth"?: number; "yaml-nodes"?: number };
  references?: { "cited-before-ignore"?: string[]; "label-hosts"?: Record<string, string[]> };
}

export const SEVERITIES = ["error", "warning", "info", "hint", "off"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** The section the server asks for in `workspace/configuration`. */
export const SECTION = "digestLs";

/**
 * The settings under `digestLs.` that reach the server, with their server key.
 * `server.path` and `trace.server` are for the client only.
 */
export const SERVER_KEYS: Readonly<Record<string, string>> = {
  include: "include",
  exclude: "exclude",
  requiredKeys: "required-keys",
  referenceLists: "reference-lists",
  labels: "labels",
  "tags.vocabulary": "tags.vocabulary",
  severity: "severity",
  "limits.frontMatterBytes": "limits.front-matter-bytes",
  "limits.yamlDepth": "limits.yaml-depth",
  "limits.yamlNodes": "limits.yaml-nodes",
  "references.citedBeforeIgnore": "references.cited-before-ignore",
  "references.labelHosts": "references.label-hosts",
};

/** Settings read by the client itself, never sent to the server. */
export const CLIENT_KEYS: readonly string[] = ["server.path", "trace.server"];

/**
 * Reads one setting (relative to `digestLs.`). The extension passes a reader that
 * returns only values the user set explicitly (user, workspace or folder), so that
 * the server's defaults and the workspace's `digest-ls.toml` are not overridden by
 * the defaults shown in the settings UI.
 */
export type SettingReader = (key: string) => unknown;

export interface Mapped {
  settings: ServerSettings;
  /** Human-readable problems with values that were dropped. */
  problems: string[];
}

function stringList(key: string, value: unknown, problems: string[]): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) {
    problems.push(`digestLs.${key} must be a list of strings; ignored`);
    return undefined;
  }
  const out: string[] = [];
  for (const item of value) {
    if (typeof item === "string") out.push(item);
    else problems.push(`digestLs.${key}: ${JSON.stringify(item)} is not a string; ignored`);
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function positiveInt(key: string, value: unknown, problems: string[]): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "number" && Number.isInteger(value) && value > 0) return value;
  problems.push(`digestLs.${key} must be a positive integer; ignored`);
  return undefined;
}

/** Maps the user's settings to the server's configuration object. Unset keys are omitted. */
export function toServerSettings(read: SettingReader): Mapped {
  const problems: string[] = [];
  const settings: ServerSettings = {};

  const include = stringList("include", read("include"), problems);
  if (include !== undefined) settings.include = include;
  const exclude = stringList("exclude", read("exclude"), problems);
  if (exclude !== undefined) settings.exclude = exclude;
  const requiredKeys = stringList("requiredKeys", read("requiredKeys"), problems);
  if (requiredKeys !== undefined) settings["required-keys"] = requiredKeys;
  const referenceLists = stringList("referenceLists", read("referenceLists"), problems);
  if (referenceLists !== undefined) settings["reference-lists"] = referenceLists;

  const labels = read("labels");
  if (labels !== undefined && labels !== null) {
    if (isPlainObject(labels)) {
      const out: Record<string, string> = {};
      for (const [label, meaning] of Object.entries(labels)) {
        if (typeof meaning === "string") out[label] = meaning;
        else problems.push(`digestLs.labels.${label} must be a string; ignored`);
      }
      if (Object.keys(out).length > 0) settings.labels = out;
    } else {
      problems.push("digestLs.labels must be an object (label -> meaning); ignored");
    }
  }

  const vocabulary = stringList("tags.vocabulary", read("tags.vocabulary"), problems);
  if (vocabulary !== undefined) settings.tags = { vocabulary };

  const severity = read("severity");
  if (severity !== undefined && severity !== null) {
    if (isPlainObject(severity)) {
      const out: Record<string, Severity> = {};
      for (const [code, level] of Object.entries(severity)) {
        if (typeof level === "string" && (SEVERITIES as readonly string[]).includes(level)) {
          out[code] = level as Severity;
        } else {
          problems.push(
            `digestLs.severity.${code} must be one of ${SEVERITIES.join(", ")}; ${JSON.stringify(level)} ignored`,
          );
        }
      }
      if (Object.keys(out).length > 0) settings.severity = out;
    } else {
      problems.push("digestLs.severity must be an object (code -> level); ignored");
    }
  }

  const limits: NonNullable<ServerSettings["limits"]> = {};
  const fmBytes = positiveInt("limits.frontMatterBytes", read("limits.frontMatterBytes"), problems);
  if (fmBytes !== undefined) limits["front-matter-bytes"] = fmBytes;
  const depth = positiveInt("limits.yamlDepth", read("limits.yamlDepth"), problems);
  if (depth !== undefined) limits["yaml-depth"] = depth;
  const nodes = positiveInt("limits.yamlNodes", read("limits.yamlNodes"), problems);
  if (nodes !== undefined) limits["yaml-nodes"] = nodes;
  if (Object.keys(limits).length > 0) settings.limits = limits;

  const references: NonNullable<ServerSettings["references"]> = {};
  const citedBeforeIgnore = stringList("references.citedBeforeIgnore", read("references.citedBeforeIgnore"), problems);
  if (citedBeforeIgnore !== undefined) references["cited-before-ignore"] = citedBeforeIgnore;
  const labelHosts = read("references.labelHosts");
  if (labelHosts !== undefined && labelHosts !== null) {
    if (isPlainObject(labelHosts)) {
      const out: Record<string, string[]> = {};
      for (const [label, hosts] of Object.entries(labelHosts)) {
        const list = stringList(`references.labelHosts.${label}`, hosts, problems);
        if (list !== undefined) out[label] = list;
      }
      if (Object.keys(out).length > 0) references["label-hosts"] = out;
    } else {
      problems.push("digestLs.references.labelHosts must be an object (label -> list of host patterns); ignored");
    }
  }
  if (Object.keys(references).length > 0) settings.references = references;

  return { settings, problems };
}

/** The subset of `WorkspaceConfiguration.inspect()` the extension uses. */
export interface Inspected<T> {
  globalValue?: T;
  workspaceValue?: T;
  workspaceFolderValue?: T;
}

/** The explicitly set value from an `inspect()` result (folder beats workspace beats user). */
export function explicitValue<T>(inspected: Inspected<T> | undefined): T | undefined {
  if (inspected === undefined) return undefined;
  if (inspected.workspaceFolderValue !== undefined) return inspected.workspaceFolderValue;
  if (inspected.workspaceValue !== undefined) return inspected.workspaceValue;
  return inspected.globalValue;
}

/** One item of a `workspace/configuration` request. */
export interface ConfigurationItem {
  section?: string;
  scopeUri?: string;
}

/**
 * Answers the items of a `workspace/configuration` request that ask for our section
 * (with the server's keys); the others are left `undefined` for VS Code's default.
 */
export function configurationAnswers(
  items: readonly ConfigurationItem[],
  settingsFor: (scopeUri: string | undefined) => ServerSettings,
): (ServerSettings | undefined)[] {
  return items.map((item) => (item.section === SECTION ? settingsFor(item.scopeUri) : undefined));
}

/** Fills the unanswered items from VS Code's default answers. */
export function mergeAnswers(ours: readonly (ServerSettings | undefined)[], fallback: readonly unknown[]): unknown[] {
  return ours.map((answer, i) => (answer !== undefined ? answer : fallback[i] ?? null));
}

/** Whether a change to `digestLs.<key>` requires a server restart rather than a settings push. */
export function needsRestart(key: string): boolean {
  return key === "server.path";
}
