// Starts `rouge lsp` for .rouge files. No build step: `npm install` in this folder,
// then run it from VS Code ("Developer: Install Extension from Location...").
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration("rouge").get("server.command", "rouge");
  client = new LanguageClient(
    "rouge",
    "Rouge rules",
    { command, args: ["lsp"] },
    { documentSelector: [{ scheme: "file", language: "rouge" }] }
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
