package ingest

import (
	"errors"
	"os"
	"path/filepath"
	"strings"

	"confide/internal/ingest/charset"
	"confide/internal/ingest/tool"
)

// Word 97–2003 and Excel 97–2003 files (OLE2 compound files) are read by
// LibreOffice, which is optional: without soffice they are a clear
// "not installed" failure, still yielded. LibreOffice runs headless with a
// profile of its own in the temporary folder, converts into that folder,
// and everything it wrote is deleted with the document.

func (w *walk) legacyOffice(d *Document, src *source) error {
	f, _, err := w.file(src)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp(w.o.TmpDir, "ingest-lo-*")
	if err != nil {
		return err
	}
	src.cleanup = append(src.cleanup, func() { os.RemoveAll(dir) })
	target, ext := "txt:Text (encoded):UTF8", ".txt"
	if strings.EqualFold(filepath.Ext(d.Path), ".xls") {
		target, ext = "csv:Text - txt - csv (StarCalc):44,34,76", ".csv"
	}
	out := filepath.Join(dir, "out")
	c := tool.Cmd{Name: "soffice", Args: []string{
		"--headless", "--norestore", "--nologo", "--nodefault", "--nolockcheck",
		"-env:UserInstallation=file://" + filepath.Join(dir, "profile"),
		"--convert-to", target, "--outdir", out, f.Name(),
	}, TmpDir: w.o.TmpDir}
	if err := w.run(c); err != nil {
		var tt *toolTimeout
		switch {
		case errors.Is(err, tool.ErrMissing):
			return fail(KindTool, d.Path, err, "LibreOffice (soffice) is not installed, so old Word and Excel files cannot be read")
		case errors.As(err, &tt):
			return fail(KindTimeout, d.Path, err, "LibreOffice took too long to read the file (%s did not finish in %s)", tt.name, tt.after)
		case w.ctx.Err() != nil:
			return err
		}
		return fail(KindCorrupt, d.Path, err, "LibreOffice could not read the file")
	}
	base := filepath.Base(f.Name())
	res, err := os.Open(filepath.Join(out, strings.TrimSuffix(base, filepath.Ext(base))+ext))
	if err != nil {
		return fail(KindCorrupt, d.Path, err, "LibreOffice could not read the file (it may be encrypted)")
	}
	defer res.Close()
	d.Steps = append(d.Steps, Step{Tool: "soffice", Version: tool.Version("soffice", "--version"), Action: "convert to " + strings.TrimPrefix(ext, ".")})
	d.Fields["charset"] = "utf-8"
	text, err := readCapped(d, charset.NewReader(res, charset.UTF8), w.lim.MaxText, -1)
	if err != nil {
		return err
	}
	for i, p := range strings.Split(text, "\f") {
		d.Pages = append(d.Pages, Page{Number: i + 1, Text: strings.TrimRight(p, "\n")})
	}
	return nil
}
