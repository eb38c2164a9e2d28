// Package attribution is tokenyield's pure core: the vocabulary of AI token
// usage and the arithmetic that turns raw agent log records into the figures a
// commit carries.
//
// It performs no I/O and holds no global state, so every rule in it can be
// tested with plain values:
//
//   - [Usage] is the normalised five-field token vector every agent's numbers are
//     converted to (uncached input, cache read, cache write, output, reasoning).
//   - [Event] is one unit of usage reported by an agent, with the identity used
//     to count it exactly once.
//   - [Dedup] applies the "counted once, ever" rule: streamed duplicates,
//     copied history and re-reads only ever add the increase of an identity.
//   - [Attribute] selects the events that belong to a commit and sums them
//     into a [Note], the versioned record stored on the commit.
//
// Normalisation. Anthropic-style APIs report input without cache (Claude Code);
// OpenAI-style APIs report cached tokens inside input and reasoning inside
// output (Codex). [FromAnthropic] and [FromOpenAI] convert both to the same
// vector, where Input never includes cache and Total is the sum of the four
// disjoint fields Input, CacheRead, CacheWrite and Output. Reasoning is the
// declared subset of Output that was spent on reasoning or thinking.
package attribution
