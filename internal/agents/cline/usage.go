package cline

import (
	"time"

	"github.com/tokenyield/tokenyield/attribution"
)

// What tokensIn means is the one hard question of these logs: whether it
// already includes the cache reads and cache writes recorded next to it
// ("inclusive", OpenAI style) or is only the uncached rest (Anthropic style).
// The answer depends on the extension, its version and the provider:
//
//   - Cline's providers mostly normalise to the uncached rest (Anthropic,
//     Bedrock, Vertex, OpenRouter, Cline, OpenAI native, Gemini, DeepSeek,
//     Groq, ...); Cline's own context gauge adds all four counts. A few
//     providers pass the OpenAI prompt_tokens (cache included) together with
//     a cached count: clineInclusiveProviders. The provider is the message's
//     modelInfo.providerId, else task_metadata.json's model_provider_id.
//     Without either, tokensIn is taken as uncached.
//   - Roo Code and Kilo Code record apiProtocol. "openai" requests always
//     had tokensIn inclusive. "anthropic" requests had the uncached rest
//     until Roo 3.29.5 (2025-11-01) and Kilo 4.119.0 (2025-11-12); since then
//     tokensIn is the whole prompt for both protocols. The message carries no
//     version, so the release date (flavor.inclusiveSince) decides. Requests
//     without apiProtocol (Roo before mid-2025) are read as inclusive, which
//     the rule below turns into "uncached" whenever that is the only
//     consistent reading.
//   - Whatever the rule says, an inclusive tokensIn cannot be smaller than
//     cacheReads + cacheWrites. When it is, it is read as the uncached rest
//     (an old extension version, or a provider that did not follow the
//     convention) instead of being clamped: that is the only reading in which
//     every recorded count is billed.

// clineInclusiveProviders are Cline provider ids whose handlers record the
// OpenAI prompt_tokens (cache included) as tokensIn together with a cache
// read count (Cline src/core/api/providers/*.ts, read at the last classic
// release). Providers that report no cache counts are absent: for them both
// readings agree.
var clineInclusiveProviders = map[string]bool{
	"openai":       true, // "OpenAI Compatible"
	"openai-codex": true,
	"litellm":      true,
	"requesty":     true,
	"oca":          true,
	"lmstudio":     true,
	"fireworks":    true,
	"doubao":       true,
	"qwen":         true,
	"hicap":        true,
	"xai":          true,
	"zai":          true,
}

// counts are the four figures of one api_req_started (or subagent_usage,
// deleted_api_reqs) message.
type counts struct {
	in, out, cacheRead, cacheWrite int64
}

// inclusive decides whether a request's tokensIn includes its cache counts,
// before the consistency check in normalize.
func (f *flavor) inclusive(protocol, provider string, ts int64) bool {
	if f.cline {
		return clineInclusiveProviders[provider]
	}
	switch protocol {
	case "openai":
		return true
	case "anthropic":
		return !time.UnixMilli(ts).Before(f.inclusiveSince)
	default:
		return true
	}
}

// normalize turns a request's counts into a Usage. inclusive says how
// tokensIn is to be read; a tokensIn too small to include the cache counts is
// read as uncached whatever inclusive says.
func normalize(c counts, inclusive bool) attribution.Usage {
	if inclusive && c.in >= c.cacheRead+c.cacheWrite {
		return attribution.FromOpenAI(c.in, c.cacheRead, c.cacheWrite, c.out, 0)
	}
	return attribution.FromAnthropic(c.in, c.cacheRead, c.cacheWrite, c.out)
}
