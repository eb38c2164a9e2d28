// Package opencode reads the token usage of OpenCode (sst/opencode, now
// anomalyco/opencode) from its SQLite database and from the JSON files of
// its older storage; and that of Kilo CLI (Kilo-Org/kilocode's `kilo`), an
// OpenCode fork that keeps the same storage under its own names
// (KiloSource, agent kilo-cli).
//
// # Where
//
// OpenCode keeps its data in $XDG_DATA_HOME/opencode, by default
// ~/.local/share/opencode, on Linux, macOS and Windows alike (the xdg-basedir
// package it uses has no OS special cases). ccusage's OPENCODE_DATA_DIR (a
// comma-separated list) replaces that default; when XDG_DATA_HOME is set,
// ~/.local/share/opencode is read as well. In each data directory:
//
//   - opencode.db, and opencode-<channel>.db written by builds of another
//     release channel (all of them are read; ccusage reads only one), plus
//     $OPENCODE_DB when set (absolute, or relative to the data directory);
//   - the legacy storage (before the 2026 move to SQLite; OpenCode migrates
//     it into the database and leaves the files):
//     storage/message/<session id>/<message id>.json,
//     storage/part/<message id>/<part id>.json and
//     storage/session/<project id>/<session id>.json.
//
// Kilo CLI keeps its data in $XDG_DATA_HOME/kilo (~/.local/share/kilo,
// every OS, through the same xdg-basedir package): kilo.db, channel builds'
// kilo-<channel>.db (or opencode-<channel>.db in some versions), KILO_DB
// as OPENCODE_DB, and the same legacy storage/ folder. Its schema, message
// and part data are OpenCode's (its gateway's provider id is "kilo"); the
// Kilo Code VS Code extension's newer builds run Kilo CLI's server and write
// to the same kilo.db, so their usage is read as kilo-cli.
//
// Databases are opened read-only through package sqlitedb (immutable when
// OpenCode is not running), never locked against OpenCode's writes.
//
// # What
//
// OpenCode writes one step-finish part per LLM call ("step") of an
// assistant message, with that call's tokens. The message's own tokens are
// overwritten by each step, so for a tool-using message they hold only the
// last call (ccusage reads them and under-counts such loops). Each
// step-finish part is therefore one event, keyed "p:<part id>"; an assistant
// message without step-finish parts (versions before them) is one event
// with the message's tokens, keyed "m:<message id>". A message is counted
// one way or the other, never both: the message is skipped as soon as one
// of its step-finish parts exists (in the same database snapshot, or in its
// part directory). Ids are the same in the database and in the legacy files,
// so the copies of a call in both are one identity.
//
// Token counts are normalised by OpenCode already: tokens.input excludes
// cache reads and cache writes, which are separate. Reasoning is added to
// the output unless the record shows it is already inside (see
// tokens.usage): OpenCode 2026 builds store output without reasoning
// (tokens.total = input + cache + output + reasoning), earlier builds stored
// the provider's output, which includes reasoning except for Google models.
// Usage.Reasoning is always the reasoning count.
//
// # Attribution fields
//
// Session is the hash of the OpenCode session id (subagent sessions are
// sessions of their own). Model is the message's modelID as recorded,
// without the provider. Cwd is the message's path.cwd, else the session's
// directory. Time is, for a step, when its part was written (database rows
// whose time_created lies within the message's lifetime), else the
// message's time.completed, else time.created (epoch ms).
//
// Forked sessions start with copies of the original session's messages and
// parts under new ids, with the original times: a message created more than
// a second before its session is such a copy and is not counted again.
//
// # Incremental reads
//
// A database is read again only when it or its write-ahead log changed.
// Its cursor state holds, per table, the highest rowid and latest
// time_updated seen; a read walks each table from its newest rowid down and
// stops at the first row that is older on both counts (see mark), so only
// rows written since are read. Legacy files are documents rewritten whole,
// read with tail.ReadWhole when they change.
//
// Not read: the session_message table of OpenCode's experimental second
// session engine (in development builds, which backfill it from message and
// part rows; reading both would count calls twice), and the flat
// part/<part id>.json layout of some third-party fixtures.
//
// # Bad input
//
// A database without the tables and columns the reader needs is reported in
// one line naming the OpenCode version of its newest session. Rows or files
// whose token data has another shape are skipped, counted in Stats.Skipped,
// and reported in one line naming the version of their session.
package opencode
