package tagger

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	format "github.com/go-git/go-git/v5/plumbing/format/config"
)

// readConfig reads the tokenyield.* settings from git's config files
// directly (a hook must not start git processes it can avoid): the global
// files, then the repository's, later ones winning, as git does. Include
// directives are not followed.
func (t *Tagger) readConfig() error {
	home := t.Agents.Home
	var files []string
	if g := os.Getenv("GIT_CONFIG_GLOBAL"); g != "" {
		files = append(files, g)
	} else {
		xdg := t.Agents.Get("XDG_CONFIG_HOME")
		if xdg == "" && home != "" {
			xdg = filepath.Join(home, ".config")
		}
		if xdg != "" {
			files = append(files, filepath.Join(xdg, "git", "config"))
		}
		if home != "" {
			files = append(files, filepath.Join(home, ".gitconfig"))
		}
	}
	files = append(files, filepath.Join(t.Repo.CommonDir, "config"), filepath.Join(t.Repo.GitDir, "config.worktree"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		cfg := format.New()
		if err := format.NewDecoder(strings.NewReader(string(data))).Decode(cfg); err != nil {
			continue // git itself reports a broken config file
		}
		if err := t.applyConfig(cfg.Section("tokenyield"), f); err != nil {
			return err
		}
	}
	return nil
}

func (t *Tagger) applyConfig(s *format.Section, file string) error {
	for _, o := range s.Options {
		k, v := strings.ToLower(o.Key), o.Value
		switch k {
		case "trailer":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return fmt.Errorf("tokenyield.trailer=%q in %s: want true or false", v, file)
			}
			t.Config.Trailer = b
		case "horizon", "timeout":
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return fmt.Errorf("tokenyield.%s=%q in %s: want a duration such as 24h or 2s", k, v, file)
			}
			if k == "horizon" {
				t.Config.Horizon = d
			} else {
				t.Config.Budget = d
			}
		}
	}
	return nil
}
