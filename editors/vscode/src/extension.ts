// The VS Code extension: starts the digest-ls language server over stdio for
// Markdown documents, passes the `digestLs.*` settings to it, and contributes the
// commands "digest-ls: Restart server" and "digest-ls: Show output".

import * as vscode from "vscode";
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";

import { resolveServer } from "./serverPath";
import {
  configurationAnswers,
  explicitValue,
  mergeAnswers,
  needsRestart,
  type ServerSettings,
  SECTION,
  SERVER_KEYS,
  toServerSettings,
} from "./settings";

let client: LanguageClient | undefined;
let output: vscode.OutputChannel | undefined;
let extensionPath = "";
/** Serialises start/stop/restart so that commands and setting changes cannot interleave. */
let queue: Promise<void> = Promise.resolve();

function log(line: string): void {
  output?.appendLine(`[${new Date().toISOString()}] ${line}`);
}

/** The server's configuration object from the explicitly set `digestLs.*` settings. */
function serverSettings(scope?: vscode.Uri): ServerSettings {
  const config = vscode.workspace.getConfiguration(SECTION, scope ?? null);
  const { settings, problems } = toServerSettings((key) => explicitValue(config.inspect(key)));
  for (const problem of problems) log(`settings: ${problem}`);
  return settings;
}

function firstWorkspaceFolder(): string | undefined {
  const folder = vscode.workspace.workspaceFolders?.[0];
  return folder?.uri.scheme === "file" ? folder.uri.fsPath : undefined;
}

async function reportMissing(message: string): Promise<void> {
  log(message);
  const choice = await vscode.window.showErrorMessage(message, "Open Settings", "Show Output");
  if (choice === "Open Settings") {
    await vscode.commands.executeCommand("workbench.action.openSettings", "digestLs.server.path");
  } else if (choice === "Show Output") {
    output?.show(true);
  }
}

async function startClient(): Promise<void> {
  const configuredPath = vscode.workspace.getConfiguration(SECTION).get<string>("server.path", "");
  const resolution = resolveServer({
    configuredPath,
    extensionPath,
    workspaceFolder: firstWorkspaceFolder(),
    envPath: process.env.PATH,
    envPathExt: process.env.PATHEXT,
  });
  if (resolution.kind === "missing") {
    // One notification per attempt (activation, restart command, changed path):
    // the client is not created, so nothing retries in a loop.
    void reportMissing(resolution.message);
    return;
  }
  log(`starting ${resolution.path} (found via ${resolution.kind === "setting" ? "digestLs.server.path" : resolution.kind})`);

  const serverOptions: ServerOptions = {
    // TransportKind.stdio makes the client pass `--stdio`, which digest-ls accepts.
    run: { command: resolution.path, transport: TransportKind.stdio },
    debug: { command: resolution.path, transport: TransportKind.stdio, options: { env: { ...process.env, RUST_LOG: "digest_ls=debug" } } },
  };

  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "markdown" },
      { scheme: "untitled", language: "markdown" },
    ],
    outputChannel: output,
    traceOutputChannel: output,
    initializationOptions: () => serverSettings(),
    synchronize: {
      fileEvents: vscode.workspace.createFileSystemWatcher("**/digest-ls.toml"),
    },
    middleware: {
      workspace: {
        // The server asks for section `digestLs`; answer with the server's own
        // (kebab-case) keys instead of VS Code's raw camelCase settings.
        configuration: async (params, token, next) => {
          const answers = configurationAnswers(params.items, (scopeUri) =>
            serverSettings(scopeUri !== undefined ? vscode.Uri.parse(scopeUri) : undefined),
          );
          if (answers.every((a) => a !== undefined)) return answers;
          const fallback = await next(params, token);
          if (!Array.isArray(fallback)) return fallback;
          return mergeAnswers(answers, fallback);
        },
      },
    },
  };

  const newClient = new LanguageClient("digestLs", "digest-ls", serverOptions, clientOptions);
  client = newClient;
  try {
    await newClient.start();
    log(`digest-ls started${newClient.initializeResult?.serverInfo?.version ? ` (version ${newClient.initializeResult.serverInfo.version})` : ""}`);
  } catch (err) {
    client = undefined;
    const message = `digest-ls: the server at ${resolution.path} failed to start: ${err instanceof Error ? err.message : String(err)}`;
    log(message);
    void vscode.window.showErrorMessage(message, "Show Output").then((choice) => {
      if (choice === "Show Output") output?.show(true);
    });
  }
}

async function stopClient(): Promise<void> {
  const current = client;
  client = undefined;
  if (current === undefined) return;
  try {
    await current.stop(5000);
  } catch (err) {
    log(`stopping the server: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function enqueue(task: () => Promise<void>): Promise<void> {
  queue = queue.then(task, task);
  return queue;
}

function restart(): Promise<void> {
  return enqueue(async () => {
    await stopClient();
    await startClient();
  });
}

export function activate(context: vscode.ExtensionContext): Promise<void> {
  extensionPath = context.extensionPath;
  output = vscode.window.createOutputChannel("digest-ls");
  context.subscriptions.push(output);

  context.subscriptions.push(
    vscode.commands.registerCommand("digestLs.restartServer", () => restart()),
    vscode.commands.registerCommand("digestLs.showOutput", () => output?.show(true)),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (!event.affectsConfiguration(SECTION)) return;
      if (needsRestart("server.path") && event.affectsConfiguration(`${SECTION}.server.path`)) {
        void restart();
        return;
      }
      const serverSide = Object.keys(SERVER_KEYS).some((key) => event.affectsConfiguration(`${SECTION}.${key}`));
      const current = client;
      if (serverSide && current !== undefined && current.isRunning()) {
        // Push the new settings; a server that pulls will ask `workspace/configuration`.
        void current.sendNotification(DidChangeConfigurationNotification.type, {
          settings: { [SECTION]: serverSettings() },
        });
      }
    }),
  );

  return enqueue(startClient);
}

export function deactivate(): Promise<void> {
  return enqueue(stopClient);
}
