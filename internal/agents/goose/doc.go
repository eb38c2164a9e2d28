// Package goose reads the token usage of Goose (block/goose) from its
// session database, sessions.db, and from the per-session files of the
// versions before it.
//
// # Where
//
// Goose keeps its sessions in <data dir>/sessions/. The data directory is
// $GOOSE_PATH_ROOT/data when that variable holds an absolute path; otherwise
// the etcetera crate's default strategy decides: %APPDATA%\Block\goose\data
// on Windows, and on Linux and macOS alike $XDG_DATA_HOME/goose (when
// absolute) or ~/.local/share/goose. The other places ccusage looks,
// ~/.local/share/Block/goose and ~/Library/Application Support/goose (macOS),
// are read too. In a sessions directory:
//
//   - sessions.db (SQLite, WAL), opened read-only through package sqlitedb,
//     never locked against Goose's writes; it is also named as a single file
//     (Source.Files) so that every scan checks it, quick or not;
//   - <session id>.jsonl from versions before the database (Goose imports
//     them into it under the same id and leaves them).
//
// # What
//
// Goose stores no usage per model call, only counters per session in the
// sessions table: accumulated_input_tokens, accumulated_output_tokens and
// accumulated_total_tokens add up every call of the session (the columns
// without the prefix hold the latest call only). Each read emits one event
// per session, keyed by the session id, with the accumulated counters as
// they are now. The scanner's de-duplication keeps the largest vector seen
// per key and counts only its increase, so a session's growth since the
// previous read becomes an increment, dated by the session's updated_at:
// the usage between two commits is what the counters grew in between. A
// session therefore counts as one request.
//
// Counts: input is all input tokens (Goose records no cache split, so
// cached input is counted, and priced, as input); total − input − output,
// when positive, is reasoning reported apart from output (Gemini thoughts)
// and is counted as output and reported as Reasoning, as ccusage prices it.
// Sessions from before the accumulated counters fall back to the latest
// call's counts and are marked LowerBound.
//
// # Attribution fields
//
// Session is the hash of the Goose session id (subagent sessions are
// sessions of their own). Model is model_config_json's model_name ("unknown"
// before schema version 6 and in legacy files). Cwd is working_dir. Time is
// updated_at (UTC; SQLite's datetime('now')), else created_at; in legacy
// files, the newest message's creation time, else the file's modification
// time.
//
// # Incremental reads
//
// A database is read again only when it or its write-ahead log changed, and
// then only the sessions whose updated_at is at most ten minutes older than
// the latest seen before (the cursor state). Legacy files are documents
// read whole when they change.
//
// # Bad input
//
// A database without the sessions table or one of the columns the reader
// needs is reported in one line naming the schema version (schema_version
// table) or "unknown version". Sessions whose counters or times have an
// unexpected type are skipped, counted in Stats.Skipped and reported in one
// line.
package goose
