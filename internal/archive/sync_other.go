//go:build !linux

package archive

// syncFiles makes a chunk's copies durable before they are renamed to
// their SHA-256: each fsynced (Linux does it with one syncfs).
func (a *Archive) syncFiles(files []string) error { return fsyncEach(files, nil) }

// syncDirs makes the renames into dirs durable before the rows naming
// them commit.
func (a *Archive) syncDirs(dirs []string) error {
	if len(dirs) == 0 {
		return nil
	}
	return fsyncEach(nil, a.originalsDirs(dirs))
}
