// Package copilot reads the token usage of GitHub Copilot CLI from its
// session event logs and, when the user enabled it, its OpenTelemetry file
// export.
//
// # Where
//
// Copilot CLI keeps everything under $COPILOT_HOME, default ~/.copilot on
// every OS (%USERPROFILE%\.copilot on Windows). The roots are:
//
//   - <home>/session-state: one folder per session holding events.jsonl;
//     older versions wrote a flat <session id>.jsonl instead.
//   - <home>/history-session-state: the same layouts, for old sessions.
//   - <home>/otel: OpenTelemetry exports (*.jsonl, at any depth), the
//     folder ccusage documents for COPILOT_OTEL_FILE_EXPORTER_PATH.
//   - $XDG_STATE_HOME/.copilot/{session-state,history-session-state} when
//     XDG_STATE_HOME is set and COPILOT_HOME is not: where versions before
//     the move to ~/.copilot kept sessions (current versions migrate them
//     at start-up; a copy read twice has the same keys).
//
// The file named by COPILOT_OTEL_FILE_EXPORTER_PATH is read wherever it is.
// Below a session folder only <id>/events.jsonl and <id>.jsonl are logs
// (other .jsonl files there are a session's artifacts and are ignored);
// every other matched file is an export.
//
// # Session event logs
//
// Lines are {"type","data","id","timestamp","parentId"} records, appended.
// The session id, working directory and model come from session.start
// (data.sessionId, data.context.cwd falling back to data.context.gitRoot,
// data.selectedModel), session.resume (context, selectedModel),
// session.model_change (newModel), session.auto_mode_resolved
// (chosenModel) and assistant.turn_start (model); the session id falls back
// to the folder (or file) name.
//
// Only output tokens are logged per call: each assistant.message with
// data.outputTokens > 0 is an event keyed "<session>/<record id>" with
// Usage.Output only, marked LowerBound because its input and cache tokens
// are not known yet. A message logged without data.outputTokens (some
// versions) gets an estimate instead: the tokens of its text and of its tool
// requests as logged (internal/tokenize, o200k_base unless the model is an
// OpenAI one with another encoding), marked Estimated. Input and cache
// counts exist only as per-model totals
// in session.shutdown data.modelMetrics[model] = {requests:{count},
// usage:{inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens,
// reasoningTokens}} (some logs have data.tokenDetails
// {input,output,cache_read,cache_write:{tokenCount}} instead, read for the
// only model listed, else data.currentModel). A commit made during a session
// therefore sees only output, and the rest arrives with the shutdown.
//
// Reconciliation at a shutdown, per model (names compared without case and
// without the "-1m"/"-1m-internal" suffixes):
//
//  1. The segment's own figures. Versions differ: some restart the totals at
//     every resume (each shutdown covers the segment since the previous
//     one), others keep them for the whole session (ccusage reads them so).
//     When some figure is below the previous shutdown's, the totals
//     restarted and the figures are the segment's. Otherwise, when messages
//     of that model were logged before the segment, the shutdown's output is
//     compared with the sum of message outputs of the whole log and of the
//     segment, and the closer one decides; without such messages, logs that
//     contain session.usage_checkpoint records (written by the versions that
//     keep totals) are cumulative and others are not. Cumulative figures
//     have the previous shutdown's subtracted.
//  2. One event keyed "<session>/shutdown/<shutdown record id>/<model>" with
//     all of the segment's input and cache tokens and only the output the
//     segment's messages did not already count: segment output minus the
//     sum of that model's message outputs in the segment, if positive. Message
//     outputs of models the shutdown does not list are taken off the others,
//     so the segment's output is never counted twice.
//
// Copilot's inputTokens includes cache reads and cache writes (as ccusage
// reads it; splitrail subtracts only the reads), so the event is built with
// attribution.FromOpenAI; a record whose input is smaller than its cache
// counts cannot include them and is read as uncached input. Reasoning
// tokens are part of the output; they are reported within the output the
// shutdown adds. The shutdown event counts as one more request per model.
//
// # OpenTelemetry exports
//
// With COPILOT_OTEL_ENABLED=true and COPILOT_OTEL_EXPORTER_TYPE=file,
// Copilot writes one record per line: spans {"type":"span", traceId, spanId,
// name, startTime/endTime as [seconds, nanoseconds], attributes:{…}} and log
// records {hrTime, _body, attributes}. OTLP/JSON batches (resourceSpans /
// resourceLogs, as an OpenTelemetry Collector's file exporter writes them)
// are read too. Each chat span (gen_ai.operation.name "chat", or a name
// starting "chat ") is one model call with exact counts:
// gen_ai.usage.input_tokens (including cache_read.input_tokens and
// cache_write/cache_creation.input_tokens, per the GenAI conventions),
// output_tokens (including reasoning.output_tokens), keyed
// "r:<gen_ai.response.id>", else "s:<traceId>:<spanId>". An inference-details
// log record with a response id is the same call seen again and takes the
// same key; invoke_agent spans and agent-turn logs sum calls their chat
// spans count, and are not read. The session is gen_ai.conversation.id (the
// Copilot session id), the model gen_ai.response.model (else
// request.model), and the working directory is the one the session's event
// log records in its session.start, when that log is found.
//
// # Events or OpenTelemetry, never both
//
// Both describe the same calls, in separate files read independently. The
// rule: a session that an export mentions (its id as gen_ai.conversation.id
// or copilot_chat.session_id in a file under <home>/otel or the exporter
// file) is counted from the export only; its event log then emits nothing.
// Each events parser asks a process-wide index of the exports, which
// searches each export file once and then only what was appended. Limits:
// a resumed session whose earlier segments ran without export loses those
// segments in a full scan (under-count, never a double count); and a commit
// made in the seconds between a session's first response and the exporter's
// first flush counts that response's output from the event log, then its
// full usage from the export: that output counts twice (the output of the
// calls made before the first flush, once per exported session).
package copilot
