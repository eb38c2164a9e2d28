package gitstat

// SetParallelMin sets parallelMin for a test and returns the restore
// function.
func SetParallelMin(n int) func() {
	old := parallelMin
	parallelMin = n
	return func() { parallelMin = old }
}
