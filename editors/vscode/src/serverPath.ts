// Finds the digest-ls binary: the `digestLs.server.path` setting, else the binary
// bundled in the extension (`server/digest-ls`), else `digest-ls` on PATH.
// Pure Node (no `vscode` import) so that `node --test` can exercise it.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** Everything the resolution depends on, passed in so tests can fake it. */
export interface ResolveInput {
  /** The `digestLs.server.path` setting ("" or undefined: not set). */
  configuredPath?: string;
  /** The extension's install folder (`context.extensionPath`). */
  extensionPath: string;
  /** The first workspace folder, used for `${workspaceFolder}` and relative paths. */
  workspaceFolder?: string;
  /** `process.env.PATH`. */
  envPath?: string;
  /** `process.env.PATHEXT` (Windows only). */
  envPathExt?: string;
  platform?: NodeJS.Platform;
  homeDir?: string;
  /** Whether `file` is an executable regular file; defaults to a real check. */
  isExecutable?: (file: string) => boolean;
  /**
   * Restores the execute bit of the bundled binary when an archive lost it; returns
   * whether it did. Defaults to a real chmod.
   */
  repairBundled?: (file: string) => boolean;
}

export type Resolution =
  | { kind: "setting" | "bundled" | "path"; path: string }
  | { kind: "missing"; message: string; tried: string[] };

/** The binary's file name on `platform`. */
export function binaryName(platform: NodeJS.Platform = process.platform): string {
  return platform === "win32" ? "digest-ls.exe" : "digest-ls";
}

/** Where the extension looks for a bundled binary. */
export function bundledPath(extensionPath: string, platform: NodeJS.Platform = process.platform): string {
  return path.join(extensionPath, "server", binaryName(platform));
}

export function defaultIsExecutable(file: string): boolean {
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) return false;
    if (process.platform === "win32") return true;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Gives a regular, non-executable file the execute bit (Unix only). */
export function defaultRepairBundled(file: string): boolean {
  if (process.platform === "win32") return false;
  try {
    if (!fs.statSync(file).isFile()) return false;
    fs.chmodSync(file, 0o755);
    return true;
  } catch {
    return false;
  }
}

/** Expands `~`, `${workspaceFolder}` and `${userHome}`; makes a relative path absolute. */
export function expandConfiguredPath(raw: string, workspaceFolder: string | undefined, homeDir: string): string {
  let p = raw.trim();
  if (p === "~") p = homeDir;
  else if (p.startsWith("~/") || p.startsWith("~\\")) p = path.join(homeDir, p.slice(2));
  p = p.replace(/\$\{userHome\}/g, homeDir);
  if (workspaceFolder !== undefined) p = p.replace(/\$\{workspaceFolder\}/g, workspaceFolder);
  if (!path.isAbsolute(p) && workspaceFolder !== undefined && (p.includes("/") || p.includes("\\"))) {
    p = path.join(workspaceFolder, p);
  }
  return p;
}

/** Searches `envPath` for `name` the way a shell would. */
export function searchPath(
  name: string,
  envPath: string | undefined,
  platform: NodeJS.Platform,
  isExecutable: (file: string) => boolean,
  envPathExt?: string,
): string | undefined {
  if (!envPath) return undefined;
  const sep = platform === "win32" ? ";" : ":";
  const exts =
    platform === "win32" && path.extname(name) === ""
      ? (envPathExt ?? ".EXE;.CMD;.BAT").split(";").filter((e) => e !== "")
      : [""];
  for (const dir of envPath.split(sep)) {
    if (dir === "") continue;
    for (const ext of exts) {
      const candidate = path.join(dir, name + ext);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

/**
 * Resolves the server binary. A configured path that does not point at an
 * executable is an error of its own (no silent fall-back to another binary).
 */
export function resolveServer(input: ResolveInput): Resolution {
  const platform = input.platform ?? process.platform;
  const isExecutable = input.isExecutable ?? defaultIsExecutable;
  const homeDir = input.homeDir ?? os.homedir();
  const configured = (input.configuredPath ?? "").trim();

  if (configured !== "") {
    const expanded = expandConfiguredPath(configured, input.workspaceFolder, homeDir);
    if (path.isAbsolute(expanded) || expanded.includes("/") || expanded.includes("\\")) {
      if (isExecutable(expanded)) return { kind: "setting", path: expanded };
      return {
        kind: "missing",
        tried: [expanded],
        message:
          `digest-ls: the setting digestLs.server.path is "${configured}", but ${expanded} ` +
          `is not an executable file. Fix the path (or clear the setting to use the bundled ` +
          `binary or digest-ls on PATH), then run "digest-ls: Restart server".`,
      };
    }
    // A bare name such as "digest-ls-nightly": look it up on PATH.
    const found = searchPath(expanded, input.envPath, platform, isExecutable, input.envPathExt);
    if (found !== undefined) return { kind: "setting", path: found };
    return {
      kind: "missing",
      tried: [expanded],
      message:
        `digest-ls: the setting digestLs.server.path is "${configured}", which is not on PATH. ` +
        `Give the full path to the binary, then run "digest-ls: Restart server".`,
    };
  }

  const bundled = bundledPath(input.extensionPath, platform);
  if (isExecutable(bundled)) return { kind: "bundled", path: bundled };
  if ((input.repairBundled ?? defaultRepairBundled)(bundled) && isExecutable(bundled)) {
    return { kind: "bundled", path: bundled };
  }

  const onPath = searchPath(binaryName(platform), input.envPath, platform, isExecutable, input.envPathExt);
  if (onPath !== undefined) return { kind: "path", path: onPath };

  return {
    kind: "missing",
    tried: [bundled, `${binaryName(platform)} on PATH`],
    message:
      "digest-ls: the language server binary was not found (no digestLs.server.path setting, " +
      "no bundled server/digest-ls, no digest-ls on PATH). Install it with " +
      "`cargo install --path .` from a digest-ls checkout (or put the binary on PATH), " +
      'or set digestLs.server.path to the binary, then run "digest-ls: Restart server".',
  };
}
