// Package codex reads the token usage of OpenAI Codex (CLI, IDE extension,
// Desktop and `codex exec`) from its rollout logs.
//
// # Where
//
// Codex writes one JSONL "rollout" per thread under $CODEX_HOME (default
// ~/.codex, the same under the home directory on Windows):
// sessions/YYYY/MM/DD/rollout-<local time>-<thread uuid>.jsonl, moved to the
// flat archived_sessions/ folder when a thread is archived, and possibly
// compressed to rollout-….jsonl.zst by newer builds. Both roots and both
// spellings are read. The same thread can therefore be seen several times
// (X.jsonl next to X.jsonl.zst, or a copy in sessions/ and archived_sessions/).
// Match only sees one path at a time, so instead of choosing a file, the
// reader gives the events of every copy the same keys: the keys depend on the
// thread id and on the file's content only, never on the path, and
// attribution.Dedup collapses the copies to one count.
//
// # What
//
// Usage comes from these records (see shared/reference/agent-logs.md §2):
//
//   - event_msg token_count with a non-null info. Codex logs the thread's
//     cumulative total_token_usage and re-emits unchanged totals on UI and
//     rate-limit refreshes (about half of the lines). One event is the
//     advance of total_token_usage since the previous non-null token_count of
//     the file, keyed "<thread>:<cumulative total_tokens>" (input+output
//     when total_tokens is absent). Lines whose total did not advance are
//     skipped; a total that goes backwards is a counter reset, and its
//     last_token_usage is taken. After a reset (or a total_tokens that did not
//     grow) the keys become "<thread>:e<n>:<total>", n counting such breaks in
//     the file, so that a later total cannot reuse an earlier key.
//     last_token_usage.total_tokens is never used as billed tokens (after a
//     compaction it holds a context estimate with zero components). Builds
//     that log only last_token_usage are summed, skipping consecutive
//     repeats.
//   - token_usage_record (newer builds): one record per model response,
//     keyed "resp:<response_id>", counted only when its thread_id is the
//     file's own thread (forks copy their parent's records). Once a file has
//     such a record it is preferred: later token_count lines of the file emit
//     nothing. The token_count events emitted before the first record may
//     describe the same responses; a record whose usage equals one of the last
//     few token_count deltas emitted before the switch is taken as already
//     counted and emits nothing, so a response is never counted under both
//     keys.
//   - legacy turn.completed usage (top level, as saved from `codex exec
//     --json`, or inside event_msg as a 0.51 build wrote it): one event per
//     record, keyed "<thread>:turn:<n>" with n the record's rank in the file.
//     A file counts either token_count deltas or legacy records, whichever
//     comes first.
//
// Every vector is OpenAI-style (cached input inside input, reasoning inside
// output) and converted with attribution.FromOpenAI.
//
// # Forks and subagents
//
// A forked thread (session_meta.forked_from_id) starts with a copy of its
// parent's history, and a subagent thread (source {"subagent":…}) replays the
// parent's token_count history at spawn; in both the cumulative totals
// continue from the parent's. In such a file usage is ignored until the first
// turn_context or task_started that belongs to the thread itself, and the last
// cumulative total seen before it becomes the baseline, so only the child's
// own advance is counted. A turn belongs to the thread when its line ordinal
// is at or after session_meta.subagent_history_start_ordinal, else when its
// UUIDv7 turn_id is not older than the UUIDv7 thread id, else when its
// timestamp is not older than the thread start (copied lines keep their
// original timestamps), else always.
//
// # Attribution fields
//
// The thread id is the first session_meta.payload.id (the UUID at the end of
// the file name when there is none); Event.Session is its hash. The model is
// the last preceding turn_context.payload.model (then the token_count's own
// info.model or model, then "gpt-5" as ccusage does), and the working
// directory is turn_context.payload.cwd, falling back to
// session_meta.payload.cwd. thread_settings_applied events update both.
package codex
