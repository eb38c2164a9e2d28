// Package scan reads every agent's logs on this machine and returns the new,
// de-duplicated usage events.
//
// A scan walks each source's roots (following symlinked directories once,
// so loops end), reads changed files in parallel through their tail cursors,
// then applies the global de-duplication (attribution.Dedup) in time order.
// The State that carries cursors and de-dup memory between scans can be
// persisted with Save and Load; a scan with a fresh State is a full scan.
package scan
