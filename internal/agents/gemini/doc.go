// Package gemini reads the token usage of Google Gemini CLI from its chat
// recordings (shared/reference/agent-logs.md §3).
//
// # Where
//
// Gemini CLI keeps per-project data in <home>/.gemini/tmp/<project-id>/,
// where <home> is $GEMINI_CLI_HOME when set and the user's home directory
// otherwise (%USERPROFILE% on Windows; the layout is the same on Linux, macOS
// and Windows). GEMINI_DATA_DIR, ccusage's variable naming such a tmp
// directory (a comma-separated list), is read as well. Below a root the
// reader takes:
//
//   - <project-id>/chats/session-<time>-<id8>.jsonl, the JSONL recorder of
//     Gemini CLI 0.40 and later;
//   - <project-id>/chats/<parent session id>/<session id>.jsonl, subagent
//     sessions;
//   - the same names ending in .json: the legacy recorder's single JSON
//     document, rewritten whole on every update (migrated to .jsonl, with the
//     same session and message ids, when such a session is resumed).
//
// Backups Gemini leaves on recovery (*.unreadable-<ms>), temporary files
// and the other files of the project directory (logs.json, checkpoints) are
// not read: they hold no usage, or copies of usage already read.
//
// # What
//
// A message record of type "gemini" carries the usage of one model response
// in tokens: input (promptTokenCount, cached tokens included), cached, output
// (candidates), thoughts (separate from output), tool (tool-use prompt) and
// total. It becomes Input = input - cached + tool, CacheRead = cached, Output
// = output + thoughts, Reasoning = thoughts. Tool-use prompt tokens are
// billed as input (the API's total adds them to the prompt), so they count
// as uncached input, as ccusage counts them. The total decides the two
// ambiguous cases: a total equal to input + cached + output + thoughts + tool
// (and not to input + output + thoughts + tool) means an input that excludes
// the cached tokens, as ccusage also detects; a total equal to input +
// output + tool with thoughts > 0 means thoughts already inside output. A
// missing or inconsistent total keeps the documented semantics.
//
// Messages come from message lines, from the messages array of a "$set"
// checkpoint line (a full copy of the conversation), from the messages of a
// legacy document, and from a legacy record written on one line.
// "$rewindTo" lines are ignored: rewinding removes messages from the
// conversation, not from the bill.
//
// # Identity
//
// Gemini CLI appends the whole message again on every update (tokens
// arrive, tool calls are added, results are added) and copies messages into
// checkpoints and into the .jsonl a legacy session is migrated to; every copy
// keeps the message id. An event's key is "<session id>/<message id>" (the
// ids of fixtures such as "g-assistant-2" are not unique across sessions),
// with the session id of the file's first metadata record, so that all the
// copies share one key and attribution.Dedup counts one response once. The
// tokens of a message are set once (recordMessageTokens fills only a message
// without tokens; later re-appends copy them), so the field-wise maximum the
// de-duplication keeps is the recorded vector; should a build ever rewrite
// a message with smaller counts, the larger earlier figures are kept.
//
// Event.Session hashes that session id (the file name without its extension
// when a file has no metadata). Model is the message's model, else the last
// model the file named, else "unknown".
//
// # Working directory
//
// Records name no working directory. Gemini CLI's project root is the
// directory it was started in, and the metadata's projectHash is
// sha256(root). The root of a session file is found, in this order: a
// candidate root whose sha256 equals projectHash, the project directory's
// ownership marker .project_root (holding the root), the slug's entry in
// <home>/.gemini/projects.json ({"projects":{"/abs/root":"slug"}}), and for
// a legacy directory named by the hash a candidate whose sha256 is that name.
// Candidates are the marker, the registry's roots and Env.Repos (each as
// given and resolved through symbolic links), so a legacy hash-named
// directory is only resolved when it belongs to one of the caller's
// repositories (and only when Gemini was started at its top). On Windows
// the marker and registry hold lower-cased paths. An unresolved root leaves
// Cwd "".
//
// # Accuracy
//
// Figures are the API's own counts. ccusage (`ccusage gemini daily`) reads
// the same records; its differences (copies across files counted again,
// thoughts shown outside its output column) are explained by the tests.
package gemini
