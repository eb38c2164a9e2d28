package action

import (
	"context"
	"fmt"
	"strings"

	"github.com/tokenyield/tokenyield/internal/gitcli"
)

// trusted returns a git runner for the workspace that trusts the directory
// without writing any configuration: in the action's container the
// workspace belongs to another user, and git refuses such repositories
// ("dubious ownership") unless safe.directory allows them.
func trusted(dir string) (*gitcli.Git, error) {
	g, err := gitcli.New(dir)
	if err != nil {
		return nil, err
	}
	return g.WithEnv("GIT_CONFIG_COUNT=1", "GIT_CONFIG_KEY_0=safe.directory", "GIT_CONFIG_VALUE_0=*"), nil
}

// localClone reports whether dir holds a clone in which base..head can be
// read: both commits present and the history between them complete. It
// fetches the notes ref from origin first (actions/checkout fetches no
// notes) and, in a full clone, commits that are missing. problems say what
// was tried and failed; false means the report must come from the API.
func localClone(ctx context.Context, g *gitcli.Git, base, head, notesRef string) (ok bool, problems []string) {
	if _, err := g.Run(ctx, "rev-parse", "--git-dir"); err != nil {
		return false, []string{"no git checkout in the workspace"}
	}
	if _, err := g.Run(ctx, "fetch", "--no-tags", "--quiet", "origin", "+"+notesRef+":"+notesRef); err != nil {
		if !strings.Contains(err.Error(), "couldn't find remote ref") {
			problems = append(problems, fmt.Sprintf("fetching %s: %v", notesRef, err))
		}
	}
	if shallow, err := g.IsShallow(ctx); err != nil || shallow {
		return false, append(problems, "the checkout is shallow (use actions/checkout with fetch-depth: 0)")
	}
	var missing []string
	for _, sha := range []string{base, head} {
		if !hasCommit(ctx, g, sha) {
			missing = append(missing, sha)
		}
	}
	if len(missing) > 0 {
		args := append([]string{"fetch", "--no-tags", "--quiet", "origin"}, missing...)
		if _, err := g.Run(ctx, args...); err != nil {
			return false, append(problems, fmt.Sprintf("commits %s are not in the checkout: %v", strings.Join(missing, ", "), err))
		}
	}
	if !hasCommit(ctx, g, base) || !hasCommit(ctx, g, head) {
		return false, append(problems, "the pull request's base or head commit is not in the checkout")
	}
	return true, problems
}

func hasCommit(ctx context.Context, g *gitcli.Git, sha string) bool {
	_, err := g.Run(ctx, "cat-file", "-e", sha+"^{commit}")
	return err == nil
}
