//go:build !linux

package blob

// noATime is Linux's O_NOATIME; elsewhere reads may move the access time.
const noATime = 0
