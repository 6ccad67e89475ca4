package blob

import "syscall"

// noATime keeps reads from moving a blob's access time.
const noATime = syscall.O_NOATIME
