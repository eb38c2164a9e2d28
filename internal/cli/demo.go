package cli

import (
	"context"
	"time"

	"github.com/tokenyield/tokenyield/internal/demo"
)

func runDemo(env *Env, args []string) error {
	fs := newFlags(env, "demo", "[--keep DIR]")
	dir := fs.String("dir", "", "make the demo here and keep it (default: a temporary directory, removed after)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	bin, err := selfPath()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	return demo.Run(ctx, demo.Options{Binary: bin, Dir: *dir, Keep: *dir != "", Out: env.Stdout, Now: env.Now})
}
