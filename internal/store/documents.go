package store

import (
	"context"
)

// Document is a document published on the site from a bundle: everything in
// it is public.
type Document struct {
	Slug  string
	Title string
	// Manifest is the bundle's manifest as published (bundle.json).
	Manifest []byte
	// Files are the bundle's files, stored by SHA-256 under the data folder.
	Files     []DocumentFile
	Published Day // first published
	Updated   Day // last published
}

// DocumentFile is one of a published document's files.
type DocumentFile struct {
	Name   string
	SHA256 string
	Size   int64
}

// SaveDocument publishes a document, or replaces the one with its slug in
// place (keeping its first day); updated says which.
func (s *DB) SaveDocument(ctx context.Context, d Document) (updated bool, err error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, s.wrap("save document", err)
	}
	defer tx.Rollback()
	today := Today()
	res, err := tx.ExecContext(ctx, s.q(`UPDATE documents SET title = ?, manifest = ?, updated = ? WHERE slug = ?`), d.Title, string(d.Manifest), today, d.Slug)
	if err != nil {
		return false, s.wrap("save document", err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		updated = true
	} else if err := s.insertNew(ctx, tx, "save document", `INSERT INTO documents (slug, title, manifest, published, updated) VALUES (?, ?, ?, ?, ?)`,
		d.Slug, d.Title, string(d.Manifest), today, today); err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM document_files WHERE slug = ?`), d.Slug); err != nil {
		return false, s.wrap("save document", err)
	}
	for _, f := range d.Files {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO document_files (slug, name, sha256, size) VALUES (?, ?, ?, ?)`), d.Slug, f.Name, f.SHA256, f.Size); err != nil {
			return false, s.wrap("save document", err)
		}
	}
	return updated, s.wrap("save document", tx.Commit())
}

// DocumentBySlug finds a published document with its files.
func (s *DB) DocumentBySlug(ctx context.Context, slug string) (Document, error) {
	var d Document
	var manifest string
	err := s.db.QueryRowContext(ctx, s.q(`SELECT slug, title, manifest, published, updated FROM documents WHERE slug = ?`), slug).
		Scan(&d.Slug, &d.Title, &manifest, &d.Published, &d.Updated)
	if err != nil {
		return d, s.wrap("document", err)
	}
	d.Manifest = []byte(manifest)
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT name, sha256, size FROM document_files WHERE slug = ? ORDER BY name`), slug)
	if err != nil {
		return d, s.wrap("document", err)
	}
	defer rows.Close()
	for rows.Next() {
		var f DocumentFile
		if err := rows.Scan(&f.Name, &f.SHA256, &f.Size); err != nil {
			return d, s.wrap("document", err)
		}
		d.Files = append(d.Files, f)
	}
	return d, s.wrap("document", rows.Err())
}

// Documents lists the published documents (without manifest or files), by
// slug.
func (s *DB) Documents(ctx context.Context) ([]Document, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT slug, title, published, updated FROM documents ORDER BY slug`))
	if err != nil {
		return nil, s.wrap("documents", err)
	}
	defer rows.Close()
	var out []Document
	for rows.Next() {
		var d Document
		if err := rows.Scan(&d.Slug, &d.Title, &d.Published, &d.Updated); err != nil {
			return nil, s.wrap("documents", err)
		}
		out = append(out, d)
	}
	return out, s.wrap("documents", rows.Err())
}

// DeleteDocument unpublishes a document and returns its files, so the
// caller can remove those no other document holds.
func (s *DB) DeleteDocument(ctx context.Context, slug string) ([]DocumentFile, error) {
	d, err := s.DocumentBySlug(ctx, slug)
	if err != nil {
		return nil, err
	}
	res, err := s.db.ExecContext(ctx, s.q(`DELETE FROM documents WHERE slug = ?`), slug)
	if err != nil {
		return nil, s.wrap("delete document", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, ErrNotFound
	}
	return d.Files, nil
}

// DocumentFileReferenced reports whether any published document holds the
// file with that SHA-256.
func (s *DB) DocumentFileReferenced(ctx context.Context, sha256 string) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM document_files WHERE sha256 = ?`), sha256).Scan(&n)
	return n > 0, s.wrap("document file", err)
}
