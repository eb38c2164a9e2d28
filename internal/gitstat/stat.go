package gitstat

import (
	"strings"
	"time"
)

// Lines counts added and deleted lines, as git's numstat does.
type Lines struct {
	// Added is the number of lines added.
	Added int64 `json:"added"`
	// Deleted is the number of lines deleted.
	Deleted int64 `json:"deleted"`
}

// Add returns the sum of l and o.
func (l Lines) Add(o Lines) Lines {
	return Lines{Added: l.Added + o.Added, Deleted: l.Deleted + o.Deleted}
}

// Changed returns Added + Deleted, the "changed lines" of a tokens-per-line
// figure.
func (l Lines) Changed() int64 { return l.Added + l.Deleted }

// CommitStat is one commit of a Log: its identity and the lines it changed,
// split into code and the excluded classes.
type CommitStat struct {
	// SHA is the full hexadecimal commit hash.
	SHA string `json:"sha"`
	// Parents are the full hashes of the parents, in order; two or more for
	// a merge, none for a root commit.
	Parents []string `json:"parents"`
	// AuthorName and AuthorEmail are the author as recorded (no .mailmap).
	AuthorName  string `json:"author_name"`
	AuthorEmail string `json:"author_email"`
	// AuthorTime and CommitTime keep the offset the commit recorded.
	AuthorTime time.Time `json:"author_time"`
	CommitTime time.Time `json:"commit_time"`
	// Message is the raw commit message (subject, blank line, body), as
	// git prints %B: usually ending in a newline.
	Message string `json:"message"`
	// Code is the lines changed in files of class Code.
	Code Lines `json:"code"`
	// Excluded is the lines changed per other class (Generated, Vendored,
	// Lock, Binary). A class is present when at least one file of it
	// changed, even with zero lines (binary files have none); nil when no
	// such file changed.
	Excluded map[Class]Lines `json:"excluded,omitempty"`
	// Files is the number of files changed, every class included. A merge
	// commit has 0 (see Log).
	Files int `json:"files"`
	// BinaryFiles is how many of Files git reported as binary, whatever
	// their class.
	BinaryFiles int `json:"binary_files"`
}

// Subject returns the first line of the message.
func (c CommitStat) Subject() string {
	s, _, _ := strings.Cut(c.Message, "\n")
	return s
}

// IsMerge reports whether the commit has more than one parent.
func (c CommitStat) IsMerge() bool { return len(c.Parents) > 1 }

// ExcludedLines returns the lines of every excluded class together.
func (c CommitStat) ExcludedLines() Lines {
	var t Lines
	for _, l := range c.Excluded {
		t = t.Add(l)
	}
	return t
}

// Totals sums the lines of stats: code, and per excluded class (nil when no
// excluded file changed).
func Totals(stats []CommitStat) (code Lines, excluded map[Class]Lines) {
	for i := range stats {
		code = code.Add(stats[i].Code)
		for c, l := range stats[i].Excluded {
			if excluded == nil {
				excluded = make(map[Class]Lines, numClasses)
			}
			excluded[c] = excluded[c].Add(l)
		}
	}
	return code, excluded
}
