// Package cline reads the token usage of three related VS Code extensions:
// Cline (Source), its fork Roo Code (RooSource) and Roo's fork Kilo Code
// (KiloSource). All three keep one folder per task, tasks/<taskId>/, whose
// ui_messages.json records every model request.
//
// # Where
//
// Extensions keep their data in <user data dir>/User/globalStorage/<id>/,
// with ids saoudrizwan.claude-dev (Cline), rooveterinaryinc.roo-cline (Roo
// Code) and kilocode.kilo-code (Kilo Code). The user data dir is, for every
// VS Code flavour (Code, Code - Insiders, Code - OSS, VSCodium, Cursor,
// Windsurf, Positron, Antigravity, Trae):
//
//   - Linux: $XDG_CONFIG_HOME/<flavour> and ~/.config/<flavour> (and the
//     Flatpak builds' ~/.var/app/<app id>/config/<flavour>);
//   - macOS: ~/Library/Application Support/<flavour>;
//   - Windows: %APPDATA%\<flavour> (APPDATA defaulting to
//     <home>\AppData\Roaming);
//   - remote servers, on any platform: ~/.vscode-server/data,
//     ~/.vscode-server-insiders/data, ~/.cursor-server/data and
//     $VSCODE_AGENT_FOLDER/data.
//
// Besides, Roo Code and Kilo Code move their task folders to the
// customStoragePath setting (roo-cline.customStoragePath,
// kilo-code.customStoragePath) when one is set in a flavour's
// User/settings.json; Roo's CLI keeps them in ~/.vscode-mock/global-storage.
// Cline outside VS Code (its CLI and JetBrains plugin before 4.1) keeps the
// same layout in its data dir: $CLINE_DATA_DIR, else $CLINE_DIR/data, else
// ~/.cline/data. Cline 4.1 and later write SDK sessions instead, in
// $CLINE_SESSION_DATA_DIR, else <data dir>/sessions (see sdk.go); those are
// read too. Kilo Code 7 and the Kilo CLI keep sessions in an OpenCode-style
// SQLite database, read by package opencode (agent kilo-cli).
//
// # What
//
// ui_messages.json is a JSON array of messages, rewritten whole on every
// change, so it is read with tail.ReadWhole. Usage is in say:"api_req_started"
// messages, whose text is itself a JSON document {request?, tokensIn,
// tokensOut, cacheWrites, cacheReads, cost, cancelReason?,
// streamingFailedMessage?, apiProtocol?}. A request is first written without
// counts and filled in when its stream ends; such placeholders emit nothing
// and are picked up when the file is rewritten. Requests cancelled or failed
// after the provider reported usage keep their counts and are counted: the
// tokens were billed. Cline also records api_req_finished (the counts of the
// preceding request, before 2025), subagent_usage (a batch of in-process
// subagents, summed; the only record of their calls) and deleted_api_reqs
// (Roo and Kilo: api_req_deleted), the sum of the requests a checkpoint
// restore removed from the file. Those sums are counted only when this state
// reads the file for the first time: otherwise the requests they sum were
// already counted one by one before they were deleted.
//
// Whether tokensIn includes the cache counts depends on the extension, its
// version and the provider; usage.go documents the rules. Output is tokensOut
// (thinking included, not recorded separately).
//
// # Identity
//
// The key of a request is "<taskId>:<ts>" (ts, the message's millisecond
// time, is unique within a task and stays the same when the message is
// rewritten), so re-reading a rewritten file counts only what grew. Subtasks
// (Roo's new_task, Cline's new tasks) are separate task folders and separate
// sessions; their parentTaskId / rootTaskId are not used. Event.Session is
// the hash of the task id.
//
// The model is the message's modelInfo.modelId (Cline 3.x), else Cline's
// task_metadata.json model_usage[] entry in force at the request, else the
// <model> tag of the environment details Roo and Kilo put in the request's
// user turn in api_conversation_history.json, else the task's modelId in
// Cline's task history, else "unknown" (a note cannot hold an empty model).
// The working directory is Cline's state/taskHistory.json
// cwdOnTaskInitialization for the task, Roo's tasks/<id>/history_item.json
// workspace, else the directory the environment details of a prompt name
// ("# Current Working Directory (…) Files", "# Current Workspace Directory
// (…) Files").
//
// # Accuracy
//
// Counts are as the extensions recorded them, with these limits: a message
// whose counts are overwritten in place (a retried request) keeps its
// largest counts; Cline's Bedrock handler records an estimated input for some
// models; a Roo or Kilo build older than the 2025-11 change still in use
// after its release date, whose Anthropic-protocol tokensIn is larger than
// its cache counts, is read with the newer meaning and under-counts input by
// the cache counts.
package cline
