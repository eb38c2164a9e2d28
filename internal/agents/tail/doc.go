// Package tail is the machinery every agent reader shares: where a reader
// looks (Env), what a reader is (Source and Parser), and the incremental file
// cursor that parses only bytes appended since the last read.
//
// A Cursor remembers, per log file, its device and inode, size, modification
// time, the byte offset after the last complete line, a hash of the file's
// first bytes and the parser's own resumable state. ReadFile uses it to:
//
//   - skip a file that has not changed (one stat);
//   - parse only the appended complete lines of a file that grew;
//   - leave a half-written last line for the next read;
//   - detect a file that was truncated, replaced or rewritten (size shrink,
//     new inode, different prefix) and read it again from the start. The
//     global de-duplication in package attribution makes such re-reads safe.
//
// Lines longer than MaxLineBytes are skipped and counted, never buffered whole.
package tail
