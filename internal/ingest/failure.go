package ingest

import (
	"errors"
	"fmt"
)

// Kind classifies a Failure, for callers that react by kind.
type Kind string

// The kinds of Failure.
const (
	KindUnsupported Kind = "unsupported" // a format this package does not read
	KindCorrupt     Kind = "corrupt"     // malformed or cut short
	KindEncrypted   Kind = "encrypted"   // needs a password
	KindTooLarge    Kind = "too-large"   // over a size, page or pixel limit
	KindBomb        Kind = "bomb"        // expands far more than its compressed size
	KindTooDeep     Kind = "too-deep"    // containers nested past Limits.MaxDepth
	KindTooMany     Kind = "too-many"    // over Limits.MaxMembers
	KindLink        Kind = "link"        // a link inside an archive, not followed
	KindTimeout     Kind = "timeout"     // a tool ran past its deadline
	KindTool        Kind = "tool"        // an external tool is missing or failed
)

// Kinds is every Kind, for a caller that names each in its own words.
var Kinds = []Kind{KindUnsupported, KindCorrupt, KindEncrypted, KindTooLarge, KindBomb, KindTooDeep, KindTooMany, KindLink, KindTimeout, KindTool}

// Failure is why a document, or a whole tree, could not be read.
type Failure struct {
	Kind   Kind
	Path   string // the document's path
	Reason string // a human sentence, safe to show a journalist
	Err    error  // the underlying error, for the log; may be nil
}

// Error is the path and the reason.
func (f *Failure) Error() string {
	return fmt.Sprintf("ingest: %s: %s", f.Path, f.Reason)
}

// Unwrap gives the underlying error.
func (f *Failure) Unwrap() error { return f.Err }

// fail makes a Failure whose Reason is format with args. format is a
// string literal of %s and %d verbs only, and each is also a sentence of
// the web catalogue (archive.reason.*): the archive stores the English
// and reads it back into the page's language, and a test checks that
// the two agree.
func fail(kind Kind, path string, err error, format string, args ...any) *Failure {
	return &Failure{Kind: kind, Path: path, Reason: fmt.Sprintf(format, args...), Err: err}
}

// warn adds a warning to d: format is held to what fail's is.
func (d *Document) warn(format string, args ...any) {
	d.Warnings = append(d.Warnings, fmt.Sprintf(format, args...))
}

// treeStop carries a tree-wide Failure up through the walk, past the
// per-document handling that would otherwise record it and go on.
type treeStop struct{ f *Failure }

func (t *treeStop) Error() string { return t.f.Error() }

// asFailure turns any error of a reader into a Failure of path.
func asFailure(path string, err error) *Failure {
	var f *Failure
	if errors.As(err, &f) {
		return f
	}
	var t *toolTimeout
	if errors.As(err, &t) {
		return fail(KindTimeout, path, err, "%s did not finish in %s", t.name, t.after)
	}
	return fail(KindCorrupt, path, err, "the file is damaged or cut short")
}
