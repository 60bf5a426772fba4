package keymaterial

import "github.com/google/uuid"

// DerivedID is the id the import of the original system gives an entity it
// knows by kind and name (or, for a key, by hash): the same at every import.
func DerivedID(kind, name string) string {
	return uuid.NewSHA1(importNamespace, []byte(kind+":"+name)).String()
}

// importNamespace is the UUID namespace of derived ids: a constant, computed
// once (key listings derive an id per key to tell imported keys apart).
var importNamespace = uuid.NewSHA1(uuid.NameSpaceURL, []byte("urn:secure-mcp-gateway:import"))
