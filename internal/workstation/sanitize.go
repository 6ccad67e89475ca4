package workstation

import (
	"path/filepath"
	"strings"

	"confide/internal/web"
)

// SafeName reduces a name a source chose to one safe path element (see
// web.SafeName, shared with the newsroom's demo downloads).
func SafeName(name string) string { return web.SafeName(name) }

// FolderName is the folder a source's material is pulled into: its
// designation made safe, with hyphens for spaces ("gutsy-dominoes"), so
// scripts and shells need no quoting.
func FolderName(designation string) string {
	return strings.Join(strings.Fields(SafeName(designation)), "-")
}

// CleanedName names a metadata-free copy so that it cannot pass for the
// original: "report.pdf" becomes "report.cleaned.pdf".
func CleanedName(name string) string {
	ext := filepath.Ext(name)
	if ext == name {
		ext = ""
	}
	return strings.TrimSuffix(name, ext) + ".cleaned" + ext
}
