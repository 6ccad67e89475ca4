package workstation

import "io"

// Progress is told how a pull goes (progress.Meter is one): the bytes to
// come as each page of changes arrives, then each download as it is
// written, and a line for each file decrypted.
type Progress interface {
	Grow(n int64)
	Start(name string, size int64)
	Set(done int64)
	Finish(line string)
}

// quiet is the Progress of a pull nobody watches (the local web UI).
type quiet struct{}

func (quiet) Grow(int64)          {}
func (quiet) Start(string, int64) {}
func (quiet) Set(int64)           {}
func (quiet) Finish(string)       {}

// progressWriter tells p how many bytes went through to w.
type progressWriter struct {
	w io.Writer
	n int64
	p Progress
}

func (pw *progressWriter) Write(b []byte) (int, error) {
	n, err := pw.w.Write(b)
	pw.n += int64(n)
	pw.p.Set(pw.n)
	return n, err
}
