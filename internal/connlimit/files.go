package connlimit

// ReservedFiles are the file descriptors kept for everything but client
// connections: the store's files (each SQLite connection holds the database,
// its WAL and shared memory), the listener, logs, the config watcher, files
// being exported.
const ReservedFiles = 128

// FitFileLimit lowers max so that max connections and ReservedFiles fit in
// the process's open-file limit, and says the limit when it did. Go raises the
// soft limit to the hard one at start, so the limit read here is the hard
// one: only an operator can raise it.
func FitFileLimit(conns int) (fitted int, limit uint64, lowered bool) {
	limit, known := openFileLimit()
	if !known || limit >= uint64(conns)+ReservedFiles {
		return conns, limit, false
	}
	if limit <= 2*ReservedFiles {
		return max(1, int(limit)/2), limit, true
	}
	return int(limit) - ReservedFiles, limit, true
}
