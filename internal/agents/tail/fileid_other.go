//go:build !unix

package tail

import "os"

// fileID has no inode to offer on this platform; rewrites are still detected
// by size, modification time and the prefix hash.
func fileID(os.FileInfo) (dev, ino uint64) { return 0, 0 }
