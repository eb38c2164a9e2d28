// Package aider reads the token usage of Aider (aider.chat) from its two
// local records: the analytics log, which is exact but opt-in, and the
// Markdown chat history, which is always written but rounds its numbers.
// Both give events of the one agent attribution.AgentAider. Aider prints
// every message's usage to both (aider/coders/base_coder.py,
// show_usage_report), so only one of them is read per repository.
//
// # Where
//
// Aider keeps no log directory: the source names single files
// (tail.Source.Files), Roots returns none and Match is unused.
//
//   - The analytics log, written when aider runs with --analytics-log FILE
//     or AIDER_ANALYTICS_LOG=FILE, independently of the PostHog opt-in.
//     An absolute $AIDER_ANALYTICS_LOG is a global log: every aider run of
//     the user, in any repository, appends to it, and it records no working
//     directory, so its events get Cwd "": they show in `tokenyield usage`
//     but are attributed to no commit. For each repository root R of
//     Env.Repos, the per-repository logs R/.aider.analytics.jsonl and, when
//     $AIDER_ANALYTICS_LOG is a relative path, R/$AIDER_ANALYTICS_LOG (aider
//     opens it relative to its working directory, normally the repository
//     root) give their events Cwd = R.
//   - The chat history R/.aider.chat.history.md (aider's default,
//     <git root>/.aider.chat.history.md) for each R of Env.Repos, and
//     $AIDER_CHAT_HISTORY_FILE when set: an absolute path is read with Cwd =
//     the directory holding the file, a relative one as R/<path> with Cwd =
//     R, for each R.
//
// Recommended setup: a per-repository analytics log, which is exact and
// attributable, e.g. "analytics-log: .aider.analytics.jsonl" in the
// repository's .aider.conf.yml (aider has no default analytics log; this
// package looks for that name) with the file listed in .gitignore. Settings
// made in .aider.conf.yml or .env files other than that name are not seen.
// Paths are used as given on every platform (aider expands no "~" either).
//
// # Which record counts (no double counting)
//
//   - When the global (absolute) $AIDER_ANALYTICS_LOG exists, no chat
//     history is read at all: the exact global log wins, which makes
//     Aider's usage unattributable to commits (hence the recommendation
//     above). An absolute $AIDER_ANALYTICS_LOG is global even when it lies
//     in a repository.
//   - Otherwise a repository that has a per-repository analytics log has its
//     chat histories (those lying in R) skipped.
//
// The choice is made on every scan from the files that exist. Switching
// records has two seams: chat history written after the last scan but
// before an analytics log appeared is never read, and when an analytics log
// disappears the chat history is read on from where it was last read (or
// from its start), counting again what the analytics log counted meanwhile.
//
// Files tells each parser the role of its path (format and Cwd); a path it
// did not name is told apart by its file name: *.md and *.markdown are chat
// histories with Cwd = their directory, anything else is an analytics log,
// with Cwd = its directory when it is named .aider.analytics.jsonl and ""
// otherwise.
//
// # The analytics log (exact)
//
// One JSON object per line: {"event", "properties", "user_id", "time"}, time
// in Unix seconds. Every "message_send" event is one user message (all its
// LLM calls, reflections included): properties.prompt_tokens becomes Input
// and properties.completion_tokens Output. properties.main_model is the
// model; "None", missing and note-unsafe names become "unknown", and models
// missing from aider's model table, which aider logs as "provider/REDACTED",
// are kept so (their cost is unknown). The log has no cache split: aider's
// prompt_tokens is the "sent" count described below, so cached prompt tokens
// are inside Input. Other events carry no usage; "launched" marks the start
// of an aider process. A message_send line that cannot be used (no or
// negative counts, no time) is skipped and counted.
//
// Identity: Key is "a:" followed by the line's user_id, time, model,
// prompt_tokens, completion_tokens, cost and total_cost (the costs as
// written). The same line seen twice, in one log or in two copies of it, is
// one message; two messages only collide if the same user sent them in the
// same second with the same model, counts and costs (total_cost is
// cumulative per process, so even that needs two processes). Session is the
// hash of user_id and the time of the last preceding "launched" event
// (user_id alone before the first one). Aider processes writing one log at
// the same time interleave their events, so a message can then be credited to
// the other process's session; its counts are unaffected.
//
// # The chat history (estimated)
//
// Append-only Markdown. A session starts with the header "# aider chat
// started at YYYY-MM-DD HH:MM:SS", the machine's local time without a zone,
// read in time.Local. The model is the latest announcement of the session:
// "> Model: X with … edit format", "> Main model: X with …" or "> Models: X
// with …, weak model Y" (a trailing "⚡" is dropped; "unknown" until one is
// seen; in architect mode the editor model's calls are credited to the main
// model). Usage comes from the lines starting "> Tokens: ", in these
// wordings:
//
//	> Tokens: 12,566 sent, 84 received. Cost: $0.0019 request, $0.0019 session.
//	> Tokens: 9,869 sent, 0 received.
//	> Tokens: 529 sent, 90 received, cache costs not included. Cost: …
//	> Tokens: 492 sent, 1,278 cached, 72 received. Cost: …, cache costs not available.
//	> Tokens: 21,523 sent, 13,952 cache hit, 9 received. Cost: $0.0030 message, $0.0030 session.
//	> Tokens: 15k sent, 13k cache write, 1.6k cache hit, 133 received.
//	> Tokens: 2.3k sent, 1.8k cache hit, 91 received. Cost: …
//
// The cost is optional and goes to the next, unprefixed line when both cache
// parts are shown; it is not read. Numbers are exact ("12,566", aider before
// 0.51.1) or, since 0.51.1, rounded by aider's format_tokens ("1.6k" to 100
// tokens below 10k, "12k" to 1000 above). An event is Estimated when any of
// its numbers was rounded; lines with exact numbers only are not.
// "received" is Output. A "> Tokens: " line that does not parse is skipped
// and counted.
//
// Normalisation of "sent". Since aider 0.51.0 (August 2024), so on every
// rounded line, "sent" includes the cache hits and writes shown next to it
// (aider adds the cache write to the provider's prompt tokens, which
// include cache reads), so Input = sent − cache hit − cache write, clamped
// at 0 because rounding can make the parts exceed the whole, and CacheRead
// and CacheWrite are the parts. Development builds before it (0.50.2-dev)
// printed an Anthropic-style "sent" without the cache ("194 sent, 9,474
// cache hit", "492 sent, 1,278 cached"): an exact line whose cache parts
// exceed "sent" is read that way, with Input = sent. "cached" (those
// builds) is a cache hit.
//
// Identity: Key is "h:<session start>#<n>:<i>", where n counts the earlier
// sessions of the file with the same start second (consecutive headers) and
// i is the rank of the Tokens line in its session (every Tokens line takes
// one, readable or not, so that a reader that learns a new wording keeps the
// keys after it). Keys only depend on the content before the line, so
// re-reads, the incremental cursor and copies of the file give the same keys;
// a copied history counts once, for the copy read first. The parser state
// (session start, n, model, next i) round-trips through the cursor. Session
// is the hash of the start and n. A Tokens line before any valid header is
// skipped and counted; a header whose time cannot be read ends the session.
//
// Time: the session start is the file's only timestamp, so every event of a
// session has it as Time; when each message was sent is unknown. Usage of a
// session that outlives a commit therefore carries a time before that commit,
// and a time-based window credits it to no later commit.
//
// # Accuracy
//
// Analytics counts are aider's own per-message totals, exact as far as the
// provider reported usage (aider counts with its tokenizer when a provider
// reports none, which the log does not say). Chat-history counts are rounded
// to about two significant digits since aider 0.51.1 (Estimated), and their
// cache split relies on the normalisation above. Aider before 0.63.0 added
// the cache hits to "sent" itself; once LiteLLM began to include them in the
// prompt tokens (autumn 2024) they were counted twice until aider fixed it
// (commit 2e97fcc4, "Remove double-counting of cached tokens"). Lines of
// such builds over-count Input by the cache hits, in both records, and
// nothing in a line tells them apart.
package aider
