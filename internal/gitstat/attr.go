package gitstat

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/tokenyield/tokenyield/internal/gitcli"
)

// The .gitattributes attributes GitHub's linguist reads to mark files as
// generated or vendored; Log honours them the same way.
const (
	attrGenerated = "linguist-generated"
	attrVendored  = "linguist-vendored"
)

// tristate is a boolean attribute that may be left unspecified.
type tristate uint8

const (
	unspecified tristate = iota
	yes
	no
)

// parseTristate reads a value printed by git check-attr: "set" or "true" is
// yes, "unset" or "false" is no; "unspecified" and any other value leave the
// name rules in charge.
func parseTristate(v string) tristate {
	switch v {
	case "set", "true":
		return yes
	case "unset", "false":
		return no
	}
	return unspecified
}

// linguist holds a path's two linguist attributes.
type linguist struct {
	generated, vendored tristate
}

// classify returns the class of path given its attributes: an attribute
// set to true decides (vendored before generated); one set to false turns
// off the matching name rules (lock files count as generated, as in
// linguist); otherwise Classify's rules apply.
func (l linguist) classify(path string) Class {
	switch {
	case l.vendored == yes:
		return Vendored
	case l.generated == yes:
		return Generated
	}
	return classifyRules(path, l.vendored != no, l.generated != no)
}

// classes returns the class of every path (relative to the repository's
// top), reading the linguist attributes of all of them with one git
// check-attr run in top. The attributes come from the .gitattributes files of
// the working tree (falling back to the index), $GIT_DIR/info/attributes and
// the user's core.attributesFile, as git check-attr reads them: the
// attributes of today's checkout, not of each commit. In a bare repository
// only info/attributes and the global file apply.
func classes(ctx context.Context, g *gitcli.Git, top string, paths []string) ([]Class, error) {
	out := make([]Class, len(paths))
	if len(paths) == 0 {
		return out, nil
	}
	attrs, err := linguistAttributes(ctx, g, top, paths)
	if err != nil {
		return nil, err
	}
	for i, p := range paths {
		out[i] = attrs[i].classify(p)
	}
	return out, nil
}

// linguistAttributes runs git check-attr -z --stdin in top for paths.
func linguistAttributes(ctx context.Context, g *gitcli.Git, top string, paths []string) ([]linguist, error) {
	var in bytes.Buffer
	for _, p := range paths {
		in.WriteString(p)
		in.WriteByte(0)
	}
	ga := *g
	ga.Dir = top
	raw, err := ga.RunInput(ctx, in.Bytes(), "check-attr", "-z", "--stdin", attrGenerated, attrVendored)
	if err != nil {
		return nil, fmt.Errorf("gitstat: read linguist attributes: %w", err)
	}
	attrs, err := parseCheckAttr(raw, paths)
	if err != nil {
		return nil, fmt.Errorf("gitstat: read linguist attributes: %w", err)
	}
	return attrs, nil
}

// parseCheckAttr reads check-attr -z output, "<path>\0<attribute>\0<value>\0"
// for each path and each of the two attributes, in the order asked.
func parseCheckAttr(raw []byte, paths []string) ([]linguist, error) {
	fields := strings.Split(string(raw), "\x00")
	if n := len(fields); n == 0 || fields[n-1] != "" {
		return nil, fmt.Errorf("check-attr output does not end in NUL")
	}
	fields = fields[:len(fields)-1]
	if want := 3 * 2 * len(paths); len(fields) != want {
		return nil, fmt.Errorf("check-attr printed %d fields for %d paths, want %d", len(fields), len(paths), want)
	}
	attrs := make([]linguist, len(paths))
	for j := 0; j < len(fields); j += 3 {
		i := j / 6
		path, name, value := fields[j], fields[j+1], fields[j+2]
		if path != paths[i] {
			return nil, fmt.Errorf("check-attr answered for %q, asked for %q", path, paths[i])
		}
		switch name {
		case attrGenerated:
			attrs[i].generated = parseTristate(value)
		case attrVendored:
			attrs[i].vendored = parseTristate(value)
		default:
			return nil, fmt.Errorf("check-attr printed attribute %q, not asked for", name)
		}
	}
	return attrs, nil
}

// topDir returns the top of the working tree of g's repository, from git
// rev-parse --show-cdup; for a bare repository (no working tree) it is
// g.Dir.
func topDir(ctx context.Context, g *gitcli.Git) (string, error) {
	out, err := g.Run(ctx, "rev-parse", "--show-cdup")
	if err != nil {
		return "", fmt.Errorf("gitstat: find the top of the working tree: %w", err)
	}
	cdup := strings.TrimRight(string(out), "\r\n")
	if cdup == "" {
		return g.Dir, nil
	}
	return filepath.Join(g.Dir, filepath.FromSlash(cdup)), nil
}

// ClassifyPaths returns the class of each path (slash-separated, relative
// to the top of the repository, as git prints it) as Log decides it: the
// name rules of Classify refined by the linguist-generated and
// linguist-vendored attributes of the checkout, read with one git
// check-attr. It never returns Binary (that comes from a diff). g may run in
// any directory of the repository.
func ClassifyPaths(ctx context.Context, g *gitcli.Git, paths []string) ([]Class, error) {
	if len(paths) == 0 {
		return []Class{}, nil
	}
	top, err := topDir(ctx, g)
	if err != nil {
		return nil, err
	}
	return classes(ctx, g, top, paths)
}
