package importer

import (
	"hash/maphash"
	"math/bits"
)

// seenIDs remembers the external ids already read in this run, so that a
// repeated id is reported as a duplicate of its first record. It is the
// one structure of a run that grows with the number of records. So it
// stores only a 64-bit hash per id and the id's first line, in 12 to 18
// bytes per record, where a Go map of the same data costs about 32.
//
// Two different ids share a hash with probability about n²/2⁶⁵, which is
// about 3 in a million for 10 million records; the second would then be
// reported as a duplicate of the first. Not safe for concurrent use.
type seenIDs struct {
	seed   maphash.Seed
	shards [seenShards]seenShard
}

// seenShards splits the table so that growing it copies one small shard
// at a time instead of the whole table, which would briefly need both
// the old and the new copy of it in memory.
const seenShards = 256

// seenShard is an open-addressing hash table with linear probing. A key
// of 0 marks an empty slot, so hashes of 0 are stored as 1. Its arrays
// live in slabs outside the Go heap.
type seenShard struct {
	keys  []uint64
	lines []uint32 // line of the first record with the key
	files []uint16 // input file index, allocated once a second file appears
	n     int

	mem, fileMem slab
}

func newSeenIDs() *seenIDs {
	return &seenIDs{seed: maphash.MakeSeed()}
}

// add records the id and returns the file index and line where it was
// first seen, with dup true when it was seen before.
func (s *seenIDs) add(source, id string, file, line int) (firstFile, firstLine int, dup bool) {
	var h maphash.Hash
	h.SetSeed(s.seed)
	h.WriteString(source)
	h.WriteByte(0)
	h.WriteString(id)
	key := max(h.Sum64(), 1)
	return s.shards[key>>56].add(key, file, line)
}

func (sh *seenShard) add(key uint64, file, line int) (int, int, bool) {
	if (sh.n+1)*5 > len(sh.keys)*4 { // keep the load at most 0.8
		sh.grow()
	}
	if file > 0 && sh.files == nil {
		sh.fileMem = newSlab(2 * len(sh.keys))
		sh.files = sh.fileMem.uint16s(0, len(sh.keys))
	}

	i := sh.slot(key)
	for ; sh.keys[i] != 0; i = sh.next(i) {
		if sh.keys[i] == key {
			return sh.file(i), int(sh.lines[i]), true
		}
	}
	sh.keys[i], sh.lines[i] = key, uint32(line)
	if sh.files != nil {
		sh.files[i] = uint16(file)
	}
	sh.n++
	return 0, 0, false
}

// slot maps a key onto the table by its low bits, which the shard index
// (the top byte) leaves uniform.
func (sh *seenShard) slot(key uint64) int {
	hi, _ := bits.Mul64(key<<8, uint64(len(sh.keys)))
	return int(hi)
}

func (sh *seenShard) next(i int) int {
	if i++; i == len(sh.keys) {
		return 0
	}
	return i
}

func (sh *seenShard) free() {
	sh.mem.free()
	sh.fileMem.free()
}

// free returns the table's memory; s must not be used afterwards.
func (s *seenIDs) free() {
	for i := range s.shards {
		s.shards[i].free()
		s.shards[i] = seenShard{}
	}
}

func (sh *seenShard) file(i int) int {
	if sh.files == nil {
		return 0
	}
	return int(sh.files[i])
}

// grow enlarges the shard by half, so that its load drops to about 0.53
// and the table averages about 0.65: 12 bytes a slot make about 18 bytes
// per record, 21 with several input files.
func (sh *seenShard) grow() {
	old := *sh
	defer old.free()
	size := max(len(old.keys)*3/2, 64)
	*sh = seenShard{mem: newSlab(12 * size)}
	sh.keys, sh.lines = sh.mem.uint64s(0, size), sh.mem.uint32s(8*size, size)
	if old.files != nil {
		sh.fileMem = newSlab(2 * size)
		sh.files = sh.fileMem.uint16s(0, size)
	}
	for i, k := range old.keys {
		if k == 0 {
			continue
		}
		j := sh.slot(k)
		for sh.keys[j] != 0 {
			j = sh.next(j)
		}
		sh.keys[j], sh.lines[j] = k, old.lines[i]
		if sh.files != nil {
			sh.files[j] = old.files[i]
		}
		sh.n++
	}
}
