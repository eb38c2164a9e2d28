package ledger_test

import (
	"crypto/sha1"
	"fmt"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/gitcli/gittest"
	"github.com/tokenyield/tokenyield/internal/ledger"
)

// fakeCommit is a stable made-up object id (notes may name any object).
func fakeCommit(i int) plumbing.Hash {
	return plumbing.Hash(sha1.Sum([]byte(fmt.Sprint("commit ", i))))
}

// benchLedger returns a repository holding n notes.
func benchLedger(b *testing.B, n int) string {
	b.Helper()
	gittest.Isolate(b)
	dir := gittest.Init(b)
	l := open(b, dir)
	notes := map[plumbing.Hash]attribution.Note{}
	for i := 0; i < n; i++ {
		notes[fakeCommit(i)] = numbered(i)
	}
	if err := l.WriteMany(notes); err != nil {
		b.Fatal(err)
	}
	return dir
}

func BenchmarkRead(b *testing.B) {
	for _, n := range []int{100, 5000} {
		b.Run(fmt.Sprint(n, "notes"), func(b *testing.B) {
			l := open(b, benchLedger(b, n))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, ok, err := l.Read(fakeCommit(i % n)); !ok || err != nil {
					b.Fatal(ok, err)
				}
			}
		})
	}
}

// BenchmarkOpenRead is what a hook pays: open the repository, read a note.
func BenchmarkOpenRead(b *testing.B) {
	dir := benchLedger(b, 1000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		l, err := ledger.Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		if _, ok, err := l.Read(fakeCommit(i % 1000)); !ok || err != nil {
			b.Fatal(ok, err)
		}
		_ = l.Close()
	}
}

func BenchmarkWrite(b *testing.B) {
	for _, n := range []int{100, 5000} {
		b.Run(fmt.Sprint(n, "notes"), func(b *testing.B) {
			l := open(b, benchLedger(b, n))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := l.Write(fakeCommit(n+i), numbered(i)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkParseTrailers(b *testing.B) {
	msg := "Subject\n\nBody\n\n" + strings.Join(ledger.FormatTrailers(trailerNote()), "\n") + "\n"
	for i := 0; i < b.N; i++ {
		if _, _, err := ledger.ParseTrailers(msg); err != nil {
			b.Fatal(err)
		}
	}
}
