// Package qwen reads the token usage of Qwen Code (QwenLM/qwen-code) from its
// chat transcripts (shared/reference/agent-logs.md §4).
//
// # Where
//
// Qwen Code writes under its runtime directory: $QWEN_RUNTIME_DIR when set,
// else ~/.qwen (the same below %USERPROFILE% on Windows). QWEN_DATA_DIR,
// ccusage's variable (a comma-separated list), replaces ~/.qwen as it does
// for ccusage; $QWEN_RUNTIME_DIR is read in any case. Below each directory's
// projects/ folder the reader takes:
//
//   - <project>/chats/<session id>.jsonl: one transcript per session, where
//     <project> is the working directory with every non-alphanumeric
//     character replaced by "-" (ccusage reads exactly these);
//   - <project>/subagents/<session id>/agent-<id>.jsonl: the transcripts of
//     background subagents, whose calls appear nowhere else. Their records
//     name no model; it is taken from the agent-<id>.meta.json sidecar.
//
// A runtime directory set only in Qwen Code's settings file
// (advanced.runtimeOutputDir) is not followed.
//
// # What
//
// Each model response is a type:"assistant" record with usageMetadata
// (Gemini's GenerateContentResponseUsageMetadata): promptTokenCount
// (cached tokens included), cachedContentTokenCount, candidatesTokenCount,
// thoughtsTokenCount, toolUsePromptTokenCount and totalTokenCount. They
// become Input = prompt - cached + tool-use prompt, CacheRead = cached,
// Reasoning = thoughts and Output = candidates + thoughts, the Gemini
// semantics, where thoughts are apart from candidates.
//
// Qwen Code mostly talks to OpenAI-compatible endpoints, and its converter
// then stores completion_tokens, reasoning included, as candidatesTokenCount
// and reasoning_tokens (or an estimate from the streamed reasoning text) as
// thoughtsTokenCount. The total tells the two apart: a totalTokenCount equal
// to prompt + candidates + tool-use prompt with thoughts > 0 means thoughts
// inside candidates, and Output = candidates. Without a total, or with one
// that fits neither form, the Gemini semantics apply. A total equal to
// prompt + cached + candidates + thoughts + tool-use prompt means a prompt
// count without the cached tokens.
//
// The type:"system" subtype:"ui_telemetry" records repeat every API
// response's usage (qwen-code.api_response events); they are not read, so
// nothing is counted twice. Records of other types, and assistant records
// without usageMetadata or with only zero counts (a record written before
// its response completed), carry no usage.
//
// # Identity
//
// An event's key is the record's uuid. /branch copies a session's records
// verbatim into a new session file, keeping each uuid, rewriting sessionId
// and adding forkedFrom {sessionId, messageUuid}; the copies share the keys
// of the originals and attribution.Dedup counts each response once. Such a
// copy is attributed to its origin: Event.Session hashes forkedFrom.sessionId
// when present, else the record's sessionId (a subagent's records carry the
// parent session's id), else the file's session. A record without a uuid is
// keyed "<session>/<timestamp>".
//
// Model is the record's model (the sidecar's for subagents, else
// "unknown"); Cwd is the record's cwd, the project root Qwen Code runs in
// ("" when it is not an absolute path); Time is its timestamp.
//
// # Accuracy
//
// Figures are the provider's counts as Qwen Code converted them. Side
// requests that leave no assistant record (session titles, compression
// summaries) are not counted, as in ccusage. A background subagent round whose reply has no
// text is not written to its transcript, so subagent usage can be low.
// ccusage (`ccusage qwen daily`) differs by design: it counts the cached
// tokens twice (inside input and as cache reads), counts /branch copies
// again, counts thoughts twice for OpenAI-compatible backends and ignores
// subagent transcripts; the tests show each difference.
package qwen
