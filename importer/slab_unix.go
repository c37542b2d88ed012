//go:build unix

package importer

import (
	"syscall"
	"unsafe"
)

// slab is memory for the seen-id table taken from the operating system
// rather than the Go heap. The table is the one structure of a run that
// grows with its size and lives to its end. On the heap it would cost
// twice its size, because the garbage collector lets the heap grow to
// twice the live data. It contains no pointers, so the collector need not
// see it.
type slab struct{ mem []byte }

// newSlab returns n zeroed bytes, or falls back to the Go heap when the
// operating system refuses.
func newSlab(n int) slab {
	mem, err := syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE,
		syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return slab{mem: make([]byte, n)}
	}
	return slab{mem: mem}
}

// free returns the memory; the slab must not be used afterwards.
func (s slab) free() {
	if len(s.mem) > 0 {
		// A heap fallback is not a mapping; Munmap rejects it harmlessly.
		_ = syscall.Munmap(s.mem)
	}
}

func (s slab) uint64s(off, n int) []uint64 {
	return unsafe.Slice((*uint64)(unsafe.Pointer(&s.mem[off])), n)
}

func (s slab) uint32s(off, n int) []uint32 {
	return unsafe.Slice((*uint32)(unsafe.Pointer(&s.mem[off])), n)
}

func (s slab) uint16s(off, n int) []uint16 {
	return unsafe.Slice((*uint16)(unsafe.Pointer(&s.mem[off])), n)
}
