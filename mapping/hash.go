package mapping

import (
	"math/bits"

	"github.com/corimport/corimport/importer/input"
)

// RecordHash returns a 64-bit hash of a record's content, the same in
// every run and on every platform, for matching records on resume. For
// CSV it covers each field's length and bytes, so that ["ab", "c"] and
// ["a", "bc"] differ. For JSONL, and for CSV records that could not be
// split into fields, it covers the length and bytes of Text, so a Text
// hashes as a CSV record with that one field. File, line and sequence
// number are not part of the hash.
//
// The hash reads 8 bytes at a time. It starts from hashStart and adds,
// for each field in order, one 64-bit word with the field's length in
// bytes, then the field's bytes as little-endian 64-bit words, the last
// one padded with zero bytes. Each word w updates the state h to
// rotl(h + w*prime2, 31) * prime1, and the final state goes through the
// xorshift-multiply avalanche in hashAvalanche. The round, the primes and
// the avalanche are those of XXH64 in the xxHash specification
// (github.com/Cyan4973/xxHash, doc/xxhash_spec.md), but the hash is not
// XXH64, which reads 32 bytes at a time in four lanes. A change to one
// word alone always changes the hash, because every step is a bijection
// of the state.
func RecordHash(r *input.Record) uint64 {
	h := uint64(hashStart)
	if r.Fields == nil {
		h = hashRound(h, uint64(len(r.Text)))
		return hashAvalanche(hashBytes(h, r.Text))
	}
	for _, f := range r.Fields {
		h = hashRound(h, uint64(len(f)))
		h = hashBytes(h, f)
	}
	return hashAvalanche(h)
}

const (
	// hashStart is PRIME64_5 of XXH64. It is not 0, because from 0
	// an empty field would leave the state at 0, so [""] and ["", ""]
	// would collide.
	hashStart  = 0x27D4EB2F165667C5
	hashPrime1 = 0x9E3779B185EBCA87
	hashPrime2 = 0xC2B2AE3D27D4EB4F
	hashPrime3 = 0x165667B19E3779F9
)

func hashRound(h, w uint64) uint64 {
	return bits.RotateLeft64(h+w*hashPrime2, 31) * hashPrime1
}

// hashBytes adds the bytes of s to h as little-endian words.
func hashBytes[S string | []byte](h uint64, s S) uint64 {
	for len(s) >= 8 {
		w := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
			uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
		h = hashRound(h, w)
		s = s[8:]
	}
	if len(s) == 0 {
		return h
	}
	var w uint64
	for i := len(s) - 1; i >= 0; i-- {
		w = w<<8 | uint64(s[i])
	}
	return hashRound(h, w)
}

func hashAvalanche(h uint64) uint64 {
	h ^= h >> 33
	h *= hashPrime2
	h ^= h >> 29
	h *= hashPrime3
	return h ^ h>>32
}
