package workstation

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"confide/internal/api"
	"confide/internal/seal"

	"filippo.io/age"
)

// PullResult says what a pull did.
type PullResult struct {
	Written []string // files written, relative to the output folder
	Deleted int      // items deleted on the newsroom since the last pull
	Sources int
}

// Pull syncs, downloads every new item, verifies and decrypts it locally,
// and writes it under out/<designation>/, each file with its custody
// record beside it (api.Sidecar, named file+api.SidecarSuffix).
func Pull(ctx context.Context, c *Client, st *State, id age.Identity, out string) (PullResult, error) {
	var res PullResult
	if err := checkOut(out); err != nil {
		return res, err
	}
	if err := os.MkdirAll(out, 0o700); err != nil {
		return res, fmt.Errorf("workstation: %w", err)
	}
	prog := c.Progress
	if prog == nil {
		prog = quiet{}
	}
	if st.PulledSHA256 == nil {
		st.PulledSHA256 = map[string]string{}
	}
	names := map[string]string{}
	custody := api.Sidecar{Newsroom: c.base, PulledBy: st.User}
	for first := true; ; first = false {
		page, err := c.Sync(ctx, st.ItemsCursor, st.TombsCursor, first)
		if err != nil {
			return res, err
		}
		if first {
			for _, s := range page.Sources {
				names[s.ID] = s.Designation
			}
			res.Sources = len(page.Sources)
		}
		for _, it := range page.Items {
			if _, done := st.Pulled[it.ID]; !done && names[it.SourceID] != "" {
				prog.Grow(it.Size)
			}
		}
		for _, it := range page.Items {
			if _, done := st.Pulled[it.ID]; done {
				continue
			}
			designation, ok := names[it.SourceID]
			if !ok {
				continue // deleted since
			}
			rel, sum, err := pullItem(ctx, c, prog, id, out, designation, it, custody)
			if err != nil {
				return res, err
			}
			prog.Finish("wrote " + rel)
			st.Pulled[it.ID] = rel
			st.PulledSHA256[it.ID] = sum
			res.Written = append(res.Written, rel)
		}
		res.Deleted += len(page.Deleted)
		st.ItemsCursor, st.TombsCursor = page.ItemsCursor, page.TombsCursor
		if !page.More {
			return res, nil
		}
	}
}

// pullItem writes one item and its custody record, and returns the file's
// path relative to out and the hex SHA-256 of its ciphertext. A file is
// never left without its record: if the record cannot be written, the
// file is removed and the item is pulled again next time.
func pullItem(ctx context.Context, c *Client, prog Progress, id age.Identity, out, designation string, it api.SyncItem, custody api.Sidecar) (string, string, error) {
	itemID, kind, seq := it.ID, it.Kind, it.Seq
	m, err := seal.OpenManifest(it.Manifest, id)
	if err != nil {
		return "", "", fmt.Errorf("workstation: cannot open item %s's manifest with this identity: %w", itemID, err)
	}
	// The ciphertext goes to a temp file first: nothing is decrypted until
	// the whole download matches the hash in the signed sync.
	dir := filepath.Join(out, FolderName(designation))
	// Pulls before folder names lost their spaces wrote "gutsy dominoes/":
	// move it once, so a source's material stays in one place.
	if old := filepath.Join(out, SafeName(designation)); old != dir {
		if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
			if err := os.Rename(old, dir); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return "", "", fmt.Errorf("workstation: %w", err)
			}
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", "", fmt.Errorf("workstation: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".download-*.age")
	if err != nil {
		return "", "", fmt.Errorf("workstation: %w", err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	label := designation + ": " + kind
	if kind == api.KindFile {
		label = designation + ": " + SafeName(m.Name) // a source picks names: no control characters on the terminal
	}
	prog.Start(label, it.Size)
	// The custody record's hash is of the bytes as they streamed in, not
	// the sync's word for it (Download checks the two agree).
	h := sha256.New()
	if err := c.Download(ctx, itemID, it.SHA256, io.MultiWriter(&progressWriter{w: tmp, p: prog}, h)); err != nil {
		return "", "", err
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return "", "", err
	}
	plain, err := seal.Decrypt(tmp, id)
	if err != nil {
		return "", "", fmt.Errorf("workstation: cannot decrypt item %s: %w", itemID, err)
	}
	var name string
	switch kind {
	case api.KindMessage:
		name = fmt.Sprintf("%06d-message.txt", seq)
	case api.KindReply:
		name = fmt.Sprintf("%06d-reply.txt", seq)
	default:
		name = fmt.Sprintf("%06d-%s", seq, SafeName(m.Name))
	}
	f, path, err := createNew(dir, name)
	if err != nil {
		return "", "", err
	}
	// The plaintext is padded (seal.Pad): the sealed manifest's size is
	// where the item ends. The rest is read too, so the whole file is
	// authenticated, and must be padding.
	ph := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, ph), io.LimitReader(plain, m.Size))
	if err == nil && n != m.Size {
		err = fmt.Errorf("%d bytes, the manifest says %d", n, m.Size)
	}
	if err == nil {
		err = onlyPadding(plain)
	}
	if err != nil {
		f.Close()
		os.Remove(path)
		return "", "", fmt.Errorf("workstation: decrypting item %s: %w", itemID, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		return "", "", err
	}
	custody.Source, custody.Item, custody.Submission, custody.Kind, custody.Day = designation, itemID, it.SubmissionID, kind, it.Day
	custody.CiphertextSHA256, custody.FileSHA256 = hex.EncodeToString(h.Sum(nil)), hex.EncodeToString(ph.Sum(nil))
	custody.PulledAt = time.Now().UTC().Format(time.RFC3339)
	if err := writeSidecar(path+api.SidecarSuffix, custody); err != nil {
		os.Remove(path)
		return "", "", err
	}
	rel, err := filepath.Rel(out, path)
	return rel, custody.CiphertextSHA256, err
}

// writeSidecar creates a custody record, 0600 like the file it describes,
// and never over an existing one.
func writeSidecar(path string, s api.Sidecar) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("workstation: the custody record: %w", err)
	}
	_, err = f.Write(append(b, '\n'))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("workstation: the custody record: %w", err)
	}
	return nil
}

// onlyPadding reads r to its end and fails on anything but zero bytes.
func onlyPadding(r io.Reader) error {
	buf := make([]byte, 32<<10)
	for {
		n, err := r.Read(buf)
		if len(bytes.Trim(buf[:n], "\x00")) != 0 {
			return errors.New("data after the size the manifest gives")
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// createNew creates dir/name without ever overwriting: a clash, with a
// file or with the custody record a file of that name would have, gets
// " (2)", " (3)"… before the extension.
func createNew(dir, name string) (*os.File, string, error) {
	ext := filepath.Ext(name)
	stem := strings.TrimSuffix(name, ext)
	for i := 1; i < 1000; i++ {
		n := name
		if i > 1 {
			n = fmt.Sprintf("%s (%d)%s", stem, i, ext)
		}
		p := filepath.Join(dir, n)
		if _, err := os.Lstat(p + api.SidecarSuffix); err == nil {
			continue
		}
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, "", fmt.Errorf("workstation: %w", err)
		}
		return f, p, nil
	}
	return nil, "", fmt.Errorf("workstation: too many files named %s", name)
}

// Reply encrypts text here, to the source and every journalist, and uploads
// it. The newsroom never sees the plaintext.
func Reply(ctx context.Context, c *Client, designation, text string) error {
	page, err := c.Sync(ctx, 1<<62, 1<<62, true) // sources and recipients only
	if err != nil {
		return err
	}
	var sourceID, sourceRecipient string
	for _, s := range page.Sources {
		// The designation as the newsroom shows it, or as a pulled folder
		// is named.
		if s.Designation == designation || FolderName(s.Designation) == designation {
			sourceID, sourceRecipient = s.ID, s.Recipient
		}
	}
	if sourceID == "" {
		return fmt.Errorf("workstation: no source is called %q", designation)
	}
	rcpts, err := seal.ParseRecipients(append([]string{sourceRecipient}, page.Recipients...))
	if err != nil {
		return err
	}
	ct, m, err := seal.SealReply(text, time.Now().UTC().Truncate(24*time.Hour), rcpts)
	if err != nil {
		return err
	}
	return c.Reply(ctx, sourceID, ct, m)
}
