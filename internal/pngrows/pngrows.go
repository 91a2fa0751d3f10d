// Package pngrows undoes PNG row filters (RFC 2083 §6): the predictors
// that a PDF's /FlateDecode data may declare (ISO 32000-1 §7.4.4.4), in
// images and in cross-reference streams alike. It holds the arithmetic
// only; readers and writers that stream rows keep their own buffers.
package pngrows

import "fmt"

// Unfilter undoes, in place, the filter of one row (cur, without its
// filter-type byte) against the previous row, already unfiltered (prev,
// zeros before the first row). bpp is the distance in bytes to the byte
// "to the left": the bytes of a pixel, at least 1.
func Unfilter(filter byte, cur, prev []byte, bpp int) error {
	switch filter {
	case 0: // None
	case 1: // Sub
		for i := bpp; i < len(cur); i++ {
			cur[i] += cur[i-bpp]
		}
	case 2: // Up
		for i := range cur {
			cur[i] += prev[i]
		}
	case 3: // Average
		for i := range cur {
			left := 0
			if i >= bpp {
				left = int(cur[i-bpp])
			}
			cur[i] += byte((left + int(prev[i])) / 2)
		}
	case 4: // Paeth
		for i := range cur {
			var left, upLeft byte
			if i >= bpp {
				left, upLeft = cur[i-bpp], prev[i-bpp]
			}
			cur[i] += paeth(left, prev[i], upLeft)
		}
	default:
		return fmt.Errorf("PNG row filter type %d", filter)
	}
	return nil
}

func paeth(a, b, c byte) byte {
	p := int(a) + int(b) - int(c)
	pa, pb, pc := abs(p-int(a)), abs(p-int(b)), abs(p-int(c))
	switch {
	case pa <= pb && pa <= pc:
		return a
	case pb <= pc:
		return b
	}
	return c
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
