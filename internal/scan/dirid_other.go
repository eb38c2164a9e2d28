//go:build !unix

package scan

import "os"

// dirID has no inode here; symlink loops are then bounded by maxDepth.
func dirID(os.FileInfo) ([2]uint64, bool) { return [2]uint64{}, false }
