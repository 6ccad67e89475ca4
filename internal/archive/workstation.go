package archive

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// SidecarSuffix ends the name of the custody record a workstation pull
// writes beside each file it decrypts: "report.pdf" has
// "report.pdf.confide.json".
const SidecarSuffix = ".confide.json"

// Sidecar is the custody record of one pulled file, as the workstation is
// to write it (docs/USAGE.md, "The archive"). Item and CiphertextSHA256
// are required; the rest is recorded when present.
type Sidecar struct {
	Newsroom         string `json:"newsroom,omitempty"`   // the newsroom's URL
	Source           string `json:"source,omitempty"`     // the source's designation
	Item             string `json:"item"`                 // the newsroom item ID
	Submission       string `json:"submission,omitempty"` // the submission it came in
	Kind             string `json:"kind,omitempty"`       // "file" or "message"
	CiphertextSHA256 string `json:"ciphertext_sha256"`    // hex SHA-256 of the downloaded .age stream
	Day              string `json:"day,omitempty"`        // the day it was submitted
	PulledBy         string `json:"pulled_by,omitempty"`  // the journalist
	PulledAt         string `json:"pulled_at,omitempty"`  // when, UTC
}

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
	return s, s.check()
}

func (s Sidecar) check() error {
	switch {
	case s.Item == "":
		return errors.New("it names no item")
	case len(s.CiphertextSHA256) != 64 || strings.ToLower(s.CiphertextSHA256) != s.CiphertextSHA256:
		return errors.New("its ciphertext_sha256 is not 64 lower-case hex digits")
	}
	if _, err := hex.DecodeString(s.CiphertextSHA256); err != nil {
		return errors.New("its ciphertext_sha256 is not hex")
	}
	return nil
}

// workstationState is the part of the workstation's state.json read here:
// which file each item was written to.
type workstationState struct {
	Newsroom string            `json:"newsroom"`
	User     string            `json:"user"`
	Pulled   map[string]string `json:"pulled"` // item ID → path relative to the pull folder
}

// CollectWorkstation lists the files of a `confide workstation pull`
// folder with their origin: from each file's sidecar when there is one,
// else, when stateDir is given, the item ID the workstation's state file
// records for it. Sidecars themselves are not ingested. A sidecar that is
// damaged is an error: custody must not be guessed.
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
	var out []Item
	for _, it := range items {
		if strings.HasSuffix(it.File, SidecarSuffix) {
			continue
		}
		rel, _ := filepath.Rel(root, it.File)
		rel = filepath.ToSlash(rel)
		origin := map[string]any{"from": "workstation pull", "file": rel}
		b, err := os.ReadFile(it.File + SidecarSuffix)
		switch {
		case err == nil:
			s, err := parseSidecar(b)
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
