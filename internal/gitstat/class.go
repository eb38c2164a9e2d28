package gitstat

import (
	"fmt"
	"strings"
)

// Class is what kind of file a changed path is, which decides whether its
// lines count as code written or are shown apart.
type Class int

const (
	// Code is everything not recognised as one of the other classes: the
	// lines people (or agents) wrote.
	Code Class = iota
	// Generated is output of a tool checked in next to its input: protobuf
	// and other code generators, minified bundles, source maps, dist/ trees.
	Generated
	// Vendored is third-party code copied into the repository (vendor/,
	// node_modules/, third_party/, ...).
	Vendored
	// Lock is a package manager's lock file (package-lock.json, go.sum,
	// Cargo.lock, ...).
	Lock
	// Binary is a file git reports as binary (no line counts). A path is
	// Binary only when no name rule applies: a binary lock file (bun.lockb)
	// stays Lock. Classify never returns Binary; Log sets it from git's
	// numstat output.
	Binary

	numClasses
)

// classNames are the String forms, also used in JSON.
var classNames = [numClasses]string{
	Code:      "code",
	Generated: "generated",
	Vendored:  "vendored",
	Lock:      "lock",
	Binary:    "binary",
}

// String returns the lower-case name of c ("code", "generated", "vendored",
// "lock", "binary"), or "Class(N)" for a value out of range.
func (c Class) String() string {
	if c >= 0 && c < numClasses {
		return classNames[c]
	}
	return fmt.Sprintf("Class(%d)", int(c))
}

// MarshalText encodes c as its String form, so a map[Class]Lines encodes as a
// JSON object keyed by class name.
func (c Class) MarshalText() ([]byte, error) {
	if c < 0 || c >= numClasses {
		return nil, fmt.Errorf("gitstat: invalid class %d", int(c))
	}
	return []byte(classNames[c]), nil
}

// UnmarshalText decodes a class name written by MarshalText.
func (c *Class) UnmarshalText(text []byte) error {
	for i, n := range classNames {
		if string(text) == n {
			*c = Class(i)
			return nil
		}
	}
	return fmt.Errorf("gitstat: unknown class %q", text)
}

// ExcludedClasses returns the classes whose lines are kept out of
// CommitStat.Code, in the order reports list them.
func ExcludedClasses() []Class {
	return []Class{Generated, Vendored, Lock, Binary}
}

// lockFiles are lock files by exact base name: what a package manager
// writes to pin resolved versions, never edited by hand.
var lockFiles = map[string]bool{
	// JavaScript / TypeScript
	"package-lock.json":   true,
	"npm-shrinkwrap.json": true,
	"yarn.lock":           true,
	"pnpm-lock.yaml":      true,
	"bun.lockb":           true,
	"bun.lock":            true,
	"deno.lock":           true,
	// Go
	"go.sum":      true,
	"go.work.sum": true,
	"Gopkg.lock":  true,
	"glide.lock":  true,
	// Rust
	"Cargo.lock": true,
	// Python
	"poetry.lock":  true,
	"Pipfile.lock": true,
	"pdm.lock":     true,
	"uv.lock":      true,
	"pixi.lock":    true,
	// Ruby, PHP, Elixir, Erlang, Dart, Crystal
	"Gemfile.lock":   true,
	"Berksfile.lock": true,
	"composer.lock":  true,
	"mix.lock":       true,
	"rebar.lock":     true,
	"pubspec.lock":   true,
	"shard.lock":     true,
	// Swift / Apple
	"Package.resolved":  true,
	"Podfile.lock":      true,
	"Cartfile.resolved": true,
	// JVM / .NET
	"gradle.lockfile":    true,
	"packages.lock.json": true,
	"paket.lock":         true,
	// Nix, Bazel, Terraform, Haskell, Julia, R, C/C++
	"flake.lock":           true,
	"MODULE.bazel.lock":    true,
	".terraform.lock.hcl":  true,
	"cabal.project.freeze": true,
	"stack.yaml.lock":      true,
	"Manifest.toml":        true,
	"renv.lock":            true,
	"conan.lock":           true,
}

// vendoredDirs are directory names whose whole subtree is third-party code,
// at any depth.
var vendoredDirs = map[string]bool{
	"vendor":           true,
	"node_modules":     true,
	"bower_components": true,
	"jspm_packages":    true,
	"third_party":      true,
	"third-party":      true,
	"thirdparty":       true,
	"3rdparty":         true,
	"3rd_party":        true,
	"3rd-party":        true,
	"Godeps":           true,
	"Pods":             true,
	"Carthage":         true,
	"site-packages":    true,
	".yarn":            true,
}

// generatedDirs are directory names whose subtree is build output, at any
// depth. build/ is deliberately absent: it holds hand-written build scripts
// and configuration at least as often as output.
var generatedDirs = map[string]bool{
	"dist": true,
}

// generatedSuffixes are base-name endings of generated files.
var generatedSuffixes = []string{
	".pb.go", "_pb2.py", "_pb2.pyi", "_pb2_grpc.py", "_pb.js", "_pb.d.ts",
	"_generated.go", ".gen.go",
	".min.js", ".min.mjs", ".min.css", ".map",
	".g.dart", ".freezed.dart", ".designer.cs", ".Designer.cs", ".g.cs",
}

// generatedNames are generated files by exact base name.
var generatedNames = map[string]bool{
	".pnp.cjs":        true,
	".pnp.js":         true,
	".pnp.loader.mjs": true,
}

// Classify returns the class of path (slash-separated, relative to the
// repository's top, as git prints it) from its name alone; it never returns
// Binary. The rules, first match wins:
//
//   - Vendored: any directory component is one of vendor, node_modules,
//     bower_components, jspm_packages, third_party, third-party, thirdparty,
//     3rdparty, 3rd_party, 3rd-party, Godeps, Pods, Carthage, site-packages,
//     .yarn (exact, case-sensitive).
//   - Lock: the base name is a lock file (package-lock.json, yarn.lock,
//     pnpm-lock.yaml, bun.lock(b), go.sum, Cargo.lock, poetry.lock,
//     Pipfile.lock, uv.lock, Gemfile.lock, composer.lock, mix.lock,
//     pubspec.lock, Package.resolved, flake.lock and the others in
//     lockFiles).
//   - Generated: a directory component is dist; or the base name starts
//     with zz_generated.; or contains ".pb." (foo.pb.go, foo.pb.cc,
//     foo.pb.h, ...); or ends with _pb2.py, _pb2.pyi, _pb2_grpc.py, _pb.js,
//     _pb.d.ts, _generated.go, .gen.go, .min.js, .min.mjs, .min.css, .map,
//     .g.dart, .freezed.dart, .designer.cs, .g.cs; or is Yarn's .pnp.cjs,
//     .pnp.js, .pnp.loader.mjs.
//   - Code: everything else. build/ directories stay Code (often
//     hand-written scripts); content markers such as Go's "// Code
//     generated ... DO NOT EDIT." are not looked at (that would mean reading
//     every blob).
//
// Log refines this with the linguist-generated and linguist-vendored
// attributes of .gitattributes (see Log).
func Classify(path string) Class {
	return classifyRules(path, true, true)
}

// classifyRules applies the name rules of Classify; the vendored and
// generated groups can be switched off (a path whose attributes say
// "-linguist-vendored" or "-linguist-generated"). Lock files count as
// generated for that purpose, as in GitHub's linguist.
func classifyRules(path string, vendored, generated bool) Class {
	dir, base := "", path
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		dir, base = path[:i], path[i+1:]
	}
	if vendored && dir != "" && hasDir(dir, vendoredDirs) {
		return Vendored
	}
	if !generated {
		return Code
	}
	if lockFiles[base] {
		return Lock
	}
	if dir != "" && hasDir(dir, generatedDirs) {
		return Generated
	}
	if generatedNames[base] || strings.HasPrefix(base, "zz_generated.") || strings.Contains(base, ".pb.") {
		return Generated
	}
	for _, s := range generatedSuffixes {
		if strings.HasSuffix(base, s) {
			return Generated
		}
	}
	return Code
}

// hasDir reports whether one of the slash-separated components of dir is in
// names.
func hasDir(dir string, names map[string]bool) bool {
	for dir != "" {
		i := strings.IndexByte(dir, '/')
		if i < 0 {
			return names[dir]
		}
		if names[dir[:i]] {
			return true
		}
		dir = dir[i+1:]
	}
	return false
}
