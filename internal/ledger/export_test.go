package ledger

import "time"

// SetLockTimeout shortens the ref lock wait for a test.
func SetLockTimeout(d time.Duration) (restore func()) {
	old := lockTimeout
	lockTimeout = d
	return func() { lockTimeout = old }
}
