//go:build !unix

package tagger

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"
)

// lockFile takes an exclusive lock by creating path; a lock older than a
// minute is considered left by a crashed process and taken over.
func lockFile(ctx context.Context, path string) (func(), error) {
	for {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err == nil {
			_ = f.Close()
			return func() { _ = os.Remove(path) }, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if fi, err := os.Stat(path); err == nil && time.Since(fi.ModTime()) > time.Minute {
			_ = os.Remove(path)
			continue
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("lock %s: another tokenyield hook holds it: %w", path, ctx.Err())
		case <-time.After(5 * time.Millisecond):
		}
	}
}
