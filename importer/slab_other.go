//go:build !unix

package importer

import "unsafe"

// slab is memory for the seen-id table. Without mmap it comes from the Go
// heap, where the garbage collector counts it.
type slab struct{ mem []byte }

func newSlab(n int) slab { return slab{mem: make([]byte, n)} }

func (s slab) free() {}

func (s slab) uint64s(off, n int) []uint64 {
	return unsafe.Slice((*uint64)(unsafe.Pointer(&s.mem[off])), n)
}

func (s slab) uint32s(off, n int) []uint32 {
	return unsafe.Slice((*uint32)(unsafe.Pointer(&s.mem[off])), n)
}

func (s slab) uint16s(off, n int) []uint16 {
	return unsafe.Slice((*uint16)(unsafe.Pointer(&s.mem[off])), n)
}
