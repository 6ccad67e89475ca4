package api

// SidecarSuffix ends the name of the custody record a workstation pull
// writes beside each file it decrypts: "report.pdf" has
// "report.pdf.confide.json". `confide archive ingest --from-workstation`
// reads it.
const SidecarSuffix = ".confide.json"

// Sidecar is the custody record of one pulled file (docs/USAGE.md, "The
// archive"): what the newsroom's signed sync said of the item, the hash of
// the ciphertext as it streamed in, the hash of the plaintext written from
// it (so the record names these bytes, not only a file name), and who
// pulled it when. It travels
// from the journalist's workstation to the archive, both trusted machines;
// nothing in it goes back to the newsroom. Item and CiphertextSHA256 are
// required; the rest is recorded when known.
type Sidecar struct {
	Newsroom         string `json:"newsroom,omitempty"`    // the newsroom's URL
	Source           string `json:"source,omitempty"`      // the source's designation
	Item             string `json:"item"`                  // the newsroom item ID
	Submission       string `json:"submission,omitempty"`  // the submission it came in
	Kind             string `json:"kind,omitempty"`        // KindFile, KindMessage or KindReply
	CiphertextSHA256 string `json:"ciphertext_sha256"`     // hex SHA-256 of the downloaded .age stream
	FileSHA256       string `json:"file_sha256,omitempty"` // hex SHA-256 of the file written (the plaintext, padding removed)
	Day              string `json:"day,omitempty"`         // the day it was submitted
	PulledBy         string `json:"pulled_by,omitempty"`   // the journalist
	PulledAt         string `json:"pulled_at,omitempty"`   // when, UTC (RFC 3339)
}
