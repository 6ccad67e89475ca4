package web

import (
	"encoding/json"
	"io"
	"net/http"
)

// WriteJSON answers with a JSON value.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// ReadJSON decodes one JSON value of at most limit bytes, refusing unknown
// fields and trailing data. On failure it has answered with a 400 and a
// human sentence, and returns false.
func ReadJSON(w http.ResponseWriter, r *http.Request, limit int64, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "the request body is not the JSON this endpoint expects"})
		return false
	}
	if dec.Decode(&struct{}{}) != io.EOF {
		WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "the request body has trailing data"})
		return false
	}
	return true
}
