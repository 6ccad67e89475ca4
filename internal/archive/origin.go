package archive

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// From says in words where an event's file came from, for the custody
// table: the pulled file's path in its pull folder, the newsroom item,
// submission and source its custody record names, who pulled it, or the
// sample trove; "" when the event records nothing beyond the path. An
// origin this version does not know is listed key by key rather than
// hidden, since custody must not lose what was recorded.
func (e Event) From() string {
	var o map[string]any
	if err := json.Unmarshal(e.Origin, &o); err != nil {
		if s := strings.TrimSpace(string(e.Origin)); s != "" && s != "null" {
			return "unreadable origin: " + s
		}
		return ""
	}
	var parts []string
	add := func(format string, key string) {
		if v, ok := o[key].(string); ok && v != "" {
			parts = append(parts, fmt.Sprintf(format, v))
		}
		delete(o, key)
	}
	if o["from"] == "workstation pull" {
		delete(o, "from")
		add("workstation pull, file %s", "file")
		if sc, ok := o["sidecar"].(map[string]any); ok {
			delete(o, "sidecar")
			for k, v := range sc {
				if _, taken := o[k]; !taken {
					o[k] = v
				}
			}
			// The file's own hash is the original's, shown above the table.
			delete(o, "file_sha256")
		}
		add("newsroom item %s", "item")
		add("submission %s", "submission")
		add("source %s", "source")
		add("submitted %s", "day")
		add("pulled by %s", "pulled_by")
		add("at %s", "pulled_at")
		add("from %s", "newsroom")
		add("a %s", "kind")
		add("ciphertext SHA-256 %s", "ciphertext_sha256")
		add("%s", "note")
	}
	add("%s", "sample")
	keys := make([]string, 0, len(o))
	for k := range o {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v, _ := json.Marshal(o[k])
		if s, ok := o[k].(string); ok {
			v = []byte(s)
		}
		parts = append(parts, k+": "+string(v))
	}
	return strings.Join(parts, ", ")
}
