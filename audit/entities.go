package audit

import "slices"

// EntityChange is one entity a write created (Before nil), changed, or
// removed (After nil), as the store held it.
type EntityChange struct {
	Entity Entity
	Before any
	After  any
}

// DiffEntities is the details of a write that changed several entities (a
// user deleted with their keys and memberships): Diff of each, its paths
// prefixed with /<kind>/<id>, in the order the entities were written, the
// whole bounded as Diff bounds one value. omitted counts entities written
// but left out by the caller (a restore of thousands).
func DiffEntities(changes []EntityChange, omitted int) (WriteDetails, error) {
	out := WriteDetails{Changes: []Change{}, Omitted: omitted}
	for _, c := range changes {
		d, err := Diff(c.Before, c.After)
		if err != nil {
			return WriteDetails{}, err
		}
		prefix := "/" + escapePointer(c.Entity.Kind) + "/" + escapePointer(maskKey(c.Entity.ID))
		for _, ch := range d.Changes {
			ch.Path = prefix + ch.Path
			out.Changes = append(out.Changes, ch)
		}
		out.Omitted += d.Omitted
	}
	if len(out.Changes) > maxChanges {
		out.Omitted += len(out.Changes) - maxChanges
		out.Changes = slices.Clip(out.Changes[:maxChanges])
	}
	return out, nil
}
