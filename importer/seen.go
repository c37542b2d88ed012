package importer

import (
	"hash/maphash"
)

// seenIDs remembers the external ids already read in this run, so that a
// repeated id is reported as a duplicate of its first record. It stores a
// 64-bit hash per id rather than the id itself, which keeps memory at a
// fixed cost per record; two different ids share a hash with probability
// about n²/2⁶⁵, negligible for any realistic run. Not safe for concurrent
// use.
type seenIDs struct {
	seed  maphash.Seed
	first map[uint64]uint64 // id hash -> file index << 40 | line
}

func newSeenIDs() *seenIDs {
	return &seenIDs{seed: maphash.MakeSeed(), first: make(map[uint64]uint64)}
}

// add records the id and returns the file index and line where it was
// first seen, with ok false when this is its first appearance.
func (s *seenIDs) add(source, id string, file, line int) (firstFile, firstLine int, ok bool) {
	var h maphash.Hash
	h.SetSeed(s.seed)
	h.WriteString(source)
	h.WriteByte(0)
	h.WriteString(id)
	key := h.Sum64()

	if v, dup := s.first[key]; dup {
		return int(v >> 40), int(v & (1<<40 - 1)), true
	}
	s.first[key] = uint64(file)<<40 | uint64(line)
	return 0, 0, false
}
