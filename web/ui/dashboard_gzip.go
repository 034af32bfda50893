package ui

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"hash/crc32"
)

// The dashboard page is 60–70 KB of HTML (cards, tables and five SVG
// charts) and was sent uncompressed: writing it was a fifth of the
// server's CPU under 200 readers. It is sent gzip-compressed to clients
// that accept it, without compressing per request: the content (shared by
// every reader of a view) and the layout around it (one per session) are
// each compressed once, as raw DEFLATE blocks that end on a byte boundary
// (a sync flush), and a response is one gzip member stitched from them: a
// header, the three parts' blocks (the last one final), the CRC-32 of the
// whole page (continued over the content's bytes, a few microseconds) and
// its length.

// zPart is one part of a page as DEFLATE blocks; final parts end the
// stream.
type zPart struct {
	z   []byte
	n   int // uncompressed length
	crc uint32
}

func deflatePart(p []byte, final bool, level int) (zPart, error) {
	var buf bytes.Buffer
	w, err := flate.NewWriter(&buf, level)
	if err != nil {
		return zPart{}, err
	}
	if _, err := w.Write(p); err != nil {
		return zPart{}, err
	}
	if final {
		err = w.Close()
	} else {
		err = w.Flush()
	}
	if err != nil {
		return zPart{}, err
	}
	return zPart{z: buf.Bytes(), n: len(p), crc: crc32.ChecksumIEEE(p)}, nil
}

// gzipHeader is a gzip member's header: DEFLATE, no name, no time, OS unknown.
var gzipHeader = []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}

// gzipTrailer is the member's trailer of a page whose first part (CRC-32
// crc, n bytes) is followed by rest: the CRC-32 continued over rest, then
// the whole length.
func gzipTrailer(crc uint32, n int, rest ...[]byte) []byte {
	for _, p := range rest {
		crc = crc32.Update(crc, crc32.IEEETable, p)
		n += len(p)
	}
	t := make([]byte, 8)
	binary.LittleEndian.PutUint32(t, crc)
	binary.LittleEndian.PutUint32(t[4:], uint32(n))
	return t
}
