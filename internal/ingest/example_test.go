package ingest_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"os"

	"confide/internal/ingest"
)

// The archive zone reads an upload like this: one document at a time,
// the container before its members, failures as documents too.
func ExampleExtractor_Extract() {
	tmp, _ := os.MkdirTemp(".", "example-")
	defer os.RemoveAll(tmp)
	e, err := ingest.New(ingest.Options{TmpDir: tmp, NoOCR: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("1989/note.txt")
	w.Write([]byte("Протокол заседания комиссии от 12 марта."))
	w, _ = zw.Create("data.bin")
	w.Write([]byte{0, 1, 2, 3})
	zw.Close()

	err = e.Extract(context.Background(), ingest.Input{Name: "letters.zip", R: &buf, Size: -1}, func(d *ingest.Document) error {
		switch {
		case d.Err != nil:
			fmt.Printf("%s: %s\n", d.Path, d.Err.Reason)
		case len(d.Pages) > 0:
			fmt.Printf("%s (%s, %s): %s\n", d.Path, d.Type, d.Pages[0].Lang, d.Pages[0].Text)
		default:
			fmt.Printf("%s (%s) by %s\n", d.Path, d.Type, d.Steps[0])
		}
		return nil
	})
	fmt.Println("done:", err)
	// Output:
	// letters.zip (zip) by confide ingest/zip v1
	// letters.zip/1989/note.txt (text, ru): Протокол заседания комиссии от 12 марта.
	// letters.zip/data.bin: this kind of file is not read (binary data starting 00 01 02 03)
	// done: <nil>
}
