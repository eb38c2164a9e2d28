//go:build unix

package cli

import (
	"os/exec"
	"syscall"
)

// detach makes cmd outlive the hook that starts it.
func detach(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} }
