package report

import (
	"sort"
	"strings"
	"time"
)

// ReviewEvent is one review of the pull request as the API lists it.
type ReviewEvent struct {
	// Reviewer is the reviewer's login.
	Reviewer string
	// State is the review's state in any casing (the REST API upper-cases,
	// webhook payloads lower-case).
	State string
	// Submitted is when the review was submitted (zero for a pending one).
	Submitted time.Time
	// CommitID is the commit the review was made on.
	CommitID string
}

// SummarizeReviews derives the review outcome from the pull request's
// reviews. author is the pull request's author, whose own reviews (comments
// on their own pull request) are not reviews of it. Pending (draft) reviews
// are ignored.
//
//   - State: per reviewer, the latest approval or change request counts and
//     a dismissal cancels it (as GitHub's merge box does). Any standing change
//     request makes CHANGES_REQUESTED, else any standing approval APPROVED,
//     else COMMENTED if any review was submitted, else NONE.
//   - Approvals and ChangeRequests count submitted reviews of those states.
//   - Rounds counts the distinct commits reviewed.
//   - FirstReview is the earliest submission.
//
// The caller sets Created, Merged, MergedAt and ReviewComments.
func SummarizeReviews(author string, events []ReviewEvent) Review {
	evs := make([]ReviewEvent, 0, len(events))
	for _, e := range events {
		e.State = strings.ToUpper(strings.TrimSpace(e.State))
		if e.State == ReviewPending || e.State == "" || (author != "" && strings.EqualFold(e.Reviewer, author)) {
			continue
		}
		evs = append(evs, e)
	}
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].Submitted.Before(evs[j].Submitted) })

	rv := Review{State: ReviewNone}
	standing := map[string]string{}
	commits := map[string]bool{}
	for _, e := range evs {
		switch e.State {
		case ReviewApproved:
			rv.Approvals++
			standing[e.Reviewer] = e.State
		case ReviewChangesRequested:
			rv.ChangeRequests++
			standing[e.Reviewer] = e.State
		case ReviewDismissed:
			delete(standing, e.Reviewer)
		}
		commits[e.CommitID] = true
		if rv.FirstReview == nil && !e.Submitted.IsZero() {
			t := e.Submitted.UTC()
			rv.FirstReview = &t
		}
	}
	rv.Rounds = len(commits)
	if len(evs) > 0 {
		rv.State = ReviewCommented
	}
	approved := false
	for _, s := range standing {
		if s == ReviewChangesRequested {
			rv.State = ReviewChangesRequested
			return rv
		}
		approved = approved || s == ReviewApproved
	}
	if approved {
		rv.State = ReviewApproved
	}
	return rv
}

// buildReview turns the caller's Review into the report's.
func buildReview(in *Review) *ReviewReport {
	if in == nil {
		return nil
	}
	out := &ReviewReport{
		State:          strings.ToUpper(clean(in.State, 32)),
		Approvals:      max(in.Approvals, 0),
		ChangeRequests: max(in.ChangeRequests, 0),
		Rounds:         max(in.Rounds, 0),
		ReviewComments: max(in.ReviewComments, 0),
		CreatedAt:      utcPtr(in.Created),
		FirstReviewAt:  utcPtr(in.FirstReview),
		Merged:         in.Merged || in.MergedAt != nil,
		MergedAt:       utcPtr(in.MergedAt),
	}
	out.TimeToFirstReview = since(out.CreatedAt, out.FirstReviewAt)
	out.TimeToMerge = since(out.CreatedAt, out.MergedAt)
	return out
}

// utcPtr copies a time in UTC, second precision; nil and zero give nil.
func utcPtr(t *time.Time) *time.Time {
	if t == nil || t.IsZero() {
		return nil
	}
	u := t.UTC().Truncate(time.Second)
	return &u
}

// since is the whole seconds from a to b, nil when either is unknown or b
// is before a (clocks disagree: better unknown than negative).
func since(a, b *time.Time) *int64 {
	if a == nil || b == nil || b.Before(*a) {
		return nil
	}
	s := int64(b.Sub(*a) / time.Second)
	return &s
}
