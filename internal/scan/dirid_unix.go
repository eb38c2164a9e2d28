//go:build unix

package scan

import (
	"os"
	"syscall"
)

func dirID(fi os.FileInfo) ([2]uint64, bool) {
	if s, ok := fi.Sys().(*syscall.Stat_t); ok {
		return [2]uint64{uint64(s.Dev), uint64(s.Ino)}, true //nolint:unconvert // field widths differ between platforms
	}
	return [2]uint64{}, false
}
