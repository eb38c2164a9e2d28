package qwen

import "github.com/tokenyield/tokenyield/internal/agents/gemini"

// counts are the fields of one usageMetadata object: Gemini's semantics
// (Qwen Code is a fork of Gemini CLI), so gemini.Counts normalises them:
// Input is promptTokenCount, Output candidatesTokenCount.
type counts = gemini.Counts

var errBadNumbers = gemini.ErrBadNumbers
