package review

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
)

// Formats are the output formats, in the order WriteFiles writes them.
var Formats = []string{"md", "html", "json", "csv"}

// Writer returns the writer of one single-file format ("md", "html",
// "json"), and the name of its file; ok is false for other formats (csv
// writes several files: see WriteCSV).
func Writer(format string) (write func(io.Writer, Dataset, Metrics) error, name string, ok bool) {
	switch format {
	case "md":
		return WriteMarkdown, "review.md", true
	case "html":
		return WriteHTML, "review.html", true
	case "json":
		return WriteJSON, "review.json", true
	}
	return nil, "", false
}

// WriteFiles writes the formats (of Formats) into dir, creating it:
// review.md, review.html, review.json and the CSV files. It returns the
// paths written, in order, also when it fails part way.
func WriteFiles(dir string, d Dataset, m Metrics, formats ...string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("review: output directory: %w", err)
	}
	var paths []string
	for _, f := range Formats {
		if !slices.Contains(formats, f) {
			continue
		}
		if f == "csv" {
			written, err := WriteCSV(dir, d, m)
			paths = append(paths, written...)
			if err != nil {
				return paths, err
			}
			continue
		}
		write, name, _ := Writer(f)
		var b bytes.Buffer
		if err := write(&b, d, m); err != nil {
			return paths, err
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil { //nolint:gosec // a report for people and tools to read
			return paths, fmt.Errorf("review: write %s: %w", p, err)
		}
		paths = append(paths, p)
	}
	return paths, nil
}
