// Package amp reads the token usage of Amp (Sourcegraph's coding agent, CLI
// and editor extension) from its thread documents.
//
// # Where
//
// Amp keeps one JSON document per thread, T-<uuid>.json, in a threads/
// folder of its data directory, and rewrites the whole document on every
// change. Amp uses XDG-style paths on every operating system: its manual
// puts the settings in ~/.config/amp on Linux and macOS and in
// %USERPROFILE%\.config\amp on Windows, and the data directory
// ~/.local/share/amp (as third-party thread readers and ccusage document it)
// is taken to follow the same rule on every OS (inferred for macOS and
// Windows, not verified there). The roots are, in this order:
//
//   - $AMP_DATA_DIR/threads for each entry of the comma-separated
//     AMP_DATA_DIR (the variable ccusage reads; entries are trimmed, a
//     leading "~" is expanded). When it holds an entry it replaces every
//     default below.
//   - $XDG_DATA_HOME/amp/threads when XDG_DATA_HOME is set, on every OS.
//   - ~/.local/share/amp/threads (on Windows %USERPROFILE%\.local\share\amp\threads).
//   - The editor extension's legacy storage, which newer builds migrate into
//     the data directory: <editor user dir>/User/globalStorage/sourcegraph.amp/threads3
//     for VS Code, VS Code Insiders, VSCodium, Cursor and Windsurf, whose user
//     dirs are $XDG_CONFIG_HOME (default ~/.config) on Linux,
//     ~/Library/Application Support on macOS and %APPDATA% (default
//     ~/AppData/Roaming) on Windows. The extension's development folder
//     (threads3-development) is not read.
//
// Only files named T-*.json directly in a root are read.
//
// # What
//
// A thread holds usage in two places that describe the same model calls:
//
//   - usageLedger.events[] = {id, timestamp, model, credits,
//     tokens:{input, output}, fromMessageId, toMessageId}: Amp's billing
//     record, one event per model call. The cache split is not in the ledger;
//     it comes from the usage of the assistant message the event produced,
//     messages[toMessageId].usage.{cacheCreationInputTokens, cacheReadInputTokens}.
//   - messages[].usage on assistant messages = {model, timestamp, inputTokens,
//     outputTokens, cacheCreationInputTokens, cacheReadInputTokens, …}.
//
// Counts are Anthropic-style: input excludes cache reads and cache writes
// (attribution.FromAnthropic). Amp's credits are its own billing unit and
// are not read.
//
// # Identity: ledger and messages never both count
//
// An assistant message and the ledger event that produced it share one key,
// "<thread id>/m/<messageId>", so whichever of the two the reader sees (a
// message whose ledger event is not written yet, then both) the scanner's
// de-duplication keeps one count (the field-wise maximum). For each message
// the first ledger event pointing to it with operationType "inference" (or
// none), else the first one pointing to it, takes that key and the
// message's cache split; the choice depends on the ledger alone, so it does
// not change when the message's usage is written before or after its events.
// Other ledger events (another operation billed to the same message, or an
// event without toMessageId) are keyed "<thread id>/l/<event id>" and carry
// the ledger's input and output only, so a cache split is never counted
// twice. Assistant messages with usage that no ledger event points to are
// counted from their own usage, unless some ledger event of the thread has no
// toMessageId (that event might be theirs). A message without messageId is
// keyed by its position ("<thread id>/i/<index>").
//
// Keys are scoped by the thread id because ledger event ids and message ids
// are not documented as unique beyond their thread. Copies of one thread (the
// legacy extension folder and the data directory) have the same thread id and
// therefore the same keys. A fork that copies another thread's usage into a
// new thread id is not recognised (ccusage does not recognise it either).
// Message ids are assumed not to be reused within a thread.
//
// # Attribution fields
//
// Event.Session is the hash of the thread id (the file name without .json
// when the document has none). The model is the ledger event's model, else
// the message usage's model. The time is the ledger event's timestamp, else
// the message usage's timestamp, else the thread's creation time (epoch ms).
// The working directory is the first env.initial.trees[].uri with a file://
// scheme, decoded to a path (file:///c%3A/x becomes c:\x on Windows); Amp
// records one tree per workspace folder and the first one is the folder the
// thread was started in. Events of an assistant message that is still being
// written (state.type "streaming") are marked LowerBound: its output grows
// until the message completes (the growth is counted then, as an increase).
package amp
