package workstation

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ErrInsideGit means the output folder is inside a git checkout.
var ErrInsideGit = errors.New("workstation: the output folder is inside a git checkout")

// checkOut refuses an output folder inside a git checkout: decrypted
// material there shows up as untracked files, one "git add ." away from a
// commit and a push. It looks for .git in the folder and every parent.
func checkOut(out string) error {
	abs, err := filepath.Abs(out)
	if err != nil {
		return fmt.Errorf("workstation: %w", err)
	}
	for dir := abs; ; dir = filepath.Dir(dir) {
		if _, err := os.Lstat(filepath.Join(dir, ".git")); err == nil {
			return fmt.Errorf("%w at %s: decrypted files would sit there as untracked plaintext; choose an --out outside it (e.g. ~/confide-pulled)", ErrInsideGit, dir)
		}
		if filepath.Dir(dir) == dir {
			return nil
		}
	}
}
