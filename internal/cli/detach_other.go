//go:build !unix

package cli

import "os/exec"

// detach has nothing to do here: the child already outlives the hook.
func detach(*exec.Cmd) {}
