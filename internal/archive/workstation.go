package archive

import (
	"confide/internal/api"
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
)

// SidecarSuffix and Sidecar are the workstation's custody record, as
// internal/api defines it for both ends.
const SidecarSuffix = api.SidecarSuffix

// Sidecar is the custody record of one pulled file.
type Sidecar = api.Sidecar

// maxSidecar bounds a custody record: a few hundred bytes in practice.
const maxSidecar = 64 << 10

// parseSidecar reads and checks a custody record.
func parseSidecar(b []byte) (Sidecar, error) {
	var s Sidecar
	if len(b) > maxSidecar {
		return s, errors.New("the custody record is over 64 KiB")
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return s, fmt.Errorf("not a custody record: %v", err)
	}
	return s, checkSidecar(s)
}

func checkSidecar(s Sidecar) error {
	switch {
	case s.Item == "":
		return errors.New("it names no item")
	case !hexSHA256(s.CiphertextSHA256):
		return errors.New("its ciphertext_sha256 is not 64 lower-case hex digits")
	case s.FileSHA256 != "" && !hexSHA256(s.FileSHA256):
		return errors.New("its file_sha256 is not 64 lower-case hex digits")
	}
	return nil
}

// hexSHA256 says whether s is a SHA-256 in lower-case hex.
func hexSHA256(s string) bool {
	_, err := hex.DecodeString(s)
	return err == nil && len(s) == 64 && strings.ToLower(s) == s
}

// agrees checks a record against the workstation's state, when one was
// given and knows the file: the state was written by the same pull, from
// the newsroom's signed sync and the download's own hash.
func sidecarAgrees(s Sidecar, st workstationState, stateItem string) error {
	if stateItem != "" && stateItem != s.Item {
		return fmt.Errorf("it names item %s, but the workstation's state says this file is item %s", s.Item, stateItem)
	}
	if h := st.Hashes[s.Item]; h != "" && h != s.CiphertextSHA256 {
		return fmt.Errorf("its ciphertext_sha256 %s is not the %s the workstation's state recorded for item %s when it pulled it: the record was changed", s.CiphertextSHA256, h, s.Item)
	}
	return nil
}

// sameBytes checks that the file is the one the pull wrote: a file edited
// since is not what the newsroom's ciphertext decrypts to.
func sameBytes(file, want string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		return fmt.Errorf("the file's SHA-256 is %s, not the %s the pull wrote: the file was changed after the pull", got, want)
	}
	return nil
}

// workstationState is the part of the workstation's state.json read here:
// which file each item was written to, and from which ciphertext.
type workstationState struct {
	Newsroom string            `json:"newsroom"`
	User     string            `json:"user"`
	Pulled   map[string]string `json:"pulled"`        // item ID → path relative to the pull folder
	Hashes   map[string]string `json:"pulled_sha256"` // item ID → hex SHA-256 of its ciphertext
}

// CollectWorkstation lists the files of a `confide workstation pull`
// folder with their origin: from each file's sidecar when there is one,
// else, when stateDir is given, the item ID the workstation's state file
// records for it. Sidecars themselves are not ingested (a file named like
// one with no file beside it is a file). A sidecar that is damaged, or
// that contradicts the state (another item for the file, another
// ciphertext hash for the item), is an error: custody must not be guessed,
// and a record edited after the pull must not pass for the newsroom's.
func CollectWorkstation(dir, stateDir string, skip func(path, why string)) ([]Item, error) {
	var st workstationState
	byPath := map[string]string{}
	if stateDir != "" {
		b, err := os.ReadFile(filepath.Join(stateDir, "state.json"))
		if err != nil {
			return nil, fmt.Errorf("archive: workstation state: %w", err)
		}
		if err := json.Unmarshal(b, &st); err != nil {
			return nil, fmt.Errorf("archive: workstation state %s is damaged: %w", stateDir, err)
		}
		for item, rel := range st.Pulled {
			byPath[filepath.ToSlash(rel)] = item
		}
	}
	items, err := Collect([]string{dir}, skip)
	if err != nil {
		return nil, err
	}
	root := filepath.Clean(dir)
	files := map[string]bool{}
	for _, it := range items {
		files[it.File] = true
	}
	var out []Item
	for _, it := range items {
		if base, ok := strings.CutSuffix(it.File, SidecarSuffix); ok && files[base] {
			continue
		}
		rel, _ := filepath.Rel(root, it.File)
		rel = filepath.ToSlash(rel)
		origin := map[string]any{"from": "workstation pull", "file": rel}
		b, err := os.ReadFile(it.File + SidecarSuffix)
		switch {
		case err == nil:
			s, err := parseSidecar(b)
			if err == nil {
				err = sidecarAgrees(s, st, byPath[rel])
			}
			if err == nil && s.FileSHA256 != "" {
				err = sameBytes(it.File, s.FileSHA256)
				it.SHA256 = s.FileSHA256
			}
			if err != nil {
				return nil, fmt.Errorf("archive: %s%s: %v", rel, SidecarSuffix, err)
			}
			origin["sidecar"] = s
		case !errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("archive: %w", err)
		case byPath[rel] != "":
			origin["item"] = byPath[rel]
			origin["newsroom"] = st.Newsroom
			origin["pulled_by"] = st.User
		default:
			origin["note"] = "no custody record: the newsroom item is unknown"
		}
		o, _ := json.Marshal(origin)
		it.Origin = string(o)
		out = append(out, it)
	}
	return out, nil
}
