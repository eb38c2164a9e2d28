package report

import "testing"

// BenchmarkReport1000 measures the pure part of a 1,000-commit pull request
// report: Build, the comment body (truncated), the job summary (complete)
// and the JSON.
func BenchmarkReport1000(b *testing.B) {
	in := hugeInput(1000)
	b.ReportAllocs()
	for b.Loop() {
		r := Build(in)
		_ = r.Markdown(CommentLimit)
		_ = r.Markdown(SummaryLimit)
		if _, err := r.JSON(); err != nil {
			b.Fatal(err)
		}
	}
}
