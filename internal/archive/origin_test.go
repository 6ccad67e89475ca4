package archive

import (
	"encoding/json"
	"testing"
)

// The custody table says where a file came from in words: nothing for a
// bare path, the pull's file, item, submission and source from a custody
// record, the state file's item, the sample trove, and an unknown key
// listed rather than dropped.
func TestEventFromInWords(t *testing.T) {
	sc, _ := json.Marshal(map[string]any{"from": "workstation pull", "file": "gutsy dominoes/1-report.txt", "sidecar": Sidecar{
		Newsroom: "http://127.0.0.1:8082", Source: "gutsy dominoes", Item: "item42", Submission: "sub7", Kind: "file",
		CiphertextSHA256: "abab", FileSHA256: "cdcd", Day: "2026-11-30", PulledBy: "ann", PulledAt: "2026-12-01T10:00:00Z"}})
	for origin, want := range map[string]string{
		`{}`: "",
		``:   "",
		string(sc): "workstation pull, file gutsy dominoes/1-report.txt, newsroom item item42, submission sub7, source gutsy dominoes, submitted 2026-11-30, " +
			"pulled by ann, at 2026-12-01T10:00:00Z, from http://127.0.0.1:8082, a file, ciphertext SHA-256 abab",
		`{"from":"workstation pull","file":"a.txt","item":"item43","newsroom":"http://127.0.0.1:8082","pulled_by":"ann"}`: "workstation pull, file a.txt, newsroom item item43, pulled by ann, from http://127.0.0.1:8082",
		`{"from":"workstation pull","file":"b.txt","note":"no custody record: the newsroom item is unknown"}`:             "workstation pull, file b.txt, no custody record: the newsroom item is unknown",
		`{"sample":"the demo's sample trove, embedded in confide"}`:                                                       "the demo's sample trove, embedded in confide",
		`{"courier":"hand-delivered","box":3}`:                                                                            "box: 3, courier: hand-delivered",
	} {
		if got := (Event{Origin: json.RawMessage(origin)}).From(); got != want {
			t.Errorf("%s:\n got %q\nwant %q", origin, got, want)
		}
	}
}
