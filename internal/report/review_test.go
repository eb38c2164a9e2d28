package report

import (
	"testing"
	"time"
)

// TestSummarizeReviews covers the outcome rules: the latest decisive review
// per reviewer stands, a dismissal cancels it, the author's own reviews and
// pending ones do not count.
func TestSummarizeReviews(t *testing.T) {
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	tests := []struct {
		name            string
		events          []ReviewEvent
		state           string
		approvals, reqs int
		rounds          int
		first           int // minutes after t0; -1: none
	}{
		{"no reviews", nil, ReviewNone, 0, 0, 0, -1},
		{"only pending", []ReviewEvent{{Reviewer: "bob", State: "PENDING", CommitID: "a"}}, ReviewNone, 0, 0, 0, -1},
		{"approved", []ReviewEvent{{Reviewer: "bob", State: "APPROVED", Submitted: at(30), CommitID: "a"}}, ReviewApproved, 1, 0, 1, 30},
		{"webhook casing", []ReviewEvent{{Reviewer: "bob", State: "changes_requested", Submitted: at(5), CommitID: "a"}}, ReviewChangesRequested, 0, 1, 1, 5},
		{"request then approve", []ReviewEvent{
			{Reviewer: "bob", State: "CHANGES_REQUESTED", Submitted: at(10), CommitID: "a"},
			{Reviewer: "bob", State: "APPROVED", Submitted: at(90), CommitID: "b"},
		}, ReviewApproved, 1, 1, 2, 10},
		{"one approves, another requests", []ReviewEvent{
			{Reviewer: "bob", State: "APPROVED", Submitted: at(10), CommitID: "a"},
			{Reviewer: "eve", State: "CHANGES_REQUESTED", Submitted: at(20), CommitID: "a"},
		}, ReviewChangesRequested, 1, 1, 1, 10},
		{"request dismissed", []ReviewEvent{
			{Reviewer: "eve", State: "CHANGES_REQUESTED", Submitted: at(20), CommitID: "a"},
			{Reviewer: "eve", State: "DISMISSED", Submitted: at(40), CommitID: "a"},
		}, ReviewCommented, 0, 1, 1, 20},
		{"comment after approval keeps it", []ReviewEvent{
			{Reviewer: "bob", State: "COMMENTED", Submitted: at(50), CommitID: "b"},
			{Reviewer: "bob", State: "APPROVED", Submitted: at(15), CommitID: "a"}, // out of order
		}, ReviewApproved, 1, 0, 2, 15},
		{"author's own review ignored", []ReviewEvent{
			{Reviewer: "Ada", State: "COMMENTED", Submitted: at(1), CommitID: "a"},
			{Reviewer: "bob", State: "COMMENTED", Submitted: at(60), CommitID: "a"},
		}, ReviewCommented, 0, 0, 1, 60},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rv := SummarizeReviews("ada", tt.events)
			if rv.State != tt.state || rv.Approvals != tt.approvals || rv.ChangeRequests != tt.reqs || rv.Rounds != tt.rounds {
				t.Errorf("got %+v", rv)
			}
			switch {
			case tt.first < 0 && rv.FirstReview != nil:
				t.Errorf("first review = %v, want none", rv.FirstReview)
			case tt.first >= 0 && (rv.FirstReview == nil || !rv.FirstReview.Equal(at(tt.first))):
				t.Errorf("first review = %v, want %v", rv.FirstReview, at(tt.first))
			}
		})
	}
}

// TestReviewRendering: states and durations read well, and a review with
// no first review has no rework split.
func TestReviewRendering(t *testing.T) {
	for s, want := range map[string]string{
		ReviewApproved: "✅ approved", ReviewChangesRequested: "changes requested", ReviewCommented: "commented",
		ReviewDismissed: "dismissed", ReviewNone: "not reviewed yet", "": "unknown", "ODD_STATE": `odd\_state`,
	} {
		if got := reviewState(s); got != want {
			t.Errorf("reviewState(%q) = %q, want %q", s, got, want)
		}
	}
	for s, want := range map[int64]string{0: "under a minute", 59: "under a minute", 60: "1m", 3599: "59m", 3600: "1h 0m", 11520: "3h 12m", 86400: "1d 0h", 101100: "1d 4h", 1 << 62: "106751d 23h"} {
		if got := duration(s); got != want {
			t.Errorf("duration(%d) = %q, want %q", s, got, want)
		}
	}
	in := normalInput()
	in.Review = &Review{State: ReviewNone}
	if r := Build(in); r.Rework != nil || r.Commits[4].AfterFirstReview {
		t.Errorf("no first review: rework = %+v", r.Rework)
	}
}
