//go:build unix

package tail

import (
	"os"
	"syscall"
)

// mapFile maps the bytes [start, size) of f read-only and returns them with a
// function that unmaps them. The mapping starts at the page boundary at or
// before start.
func mapFile(f *os.File, start, size int64) ([]byte, func(), error) {
	page := int64(os.Getpagesize())
	base := start / page * page
	data, err := syscall.Mmap(int(f.Fd()), base, int(size-base), syscall.PROT_READ, syscall.MAP_SHARED) //nolint:gosec // size fits: checked by the caller
	if err != nil {
		return nil, nil, err
	}
	return data[start-base:], func() { _ = syscall.Munmap(data) }, nil
}
