package lint

import (
	"sort"
	"strings"
)

// source locates byte offsets of a file as lines and columns.
type source struct {
	text       string
	lineStarts []int
}

func newSource(text string) *source {
	starts := []int{0}
	for i := 0; i < len(text); i++ {
		if text[i] == '\n' {
			starts = append(starts, i+1)
		}
	}
	return &source{text: text, lineStarts: starts}
}

// position returns the 1-based line and byte column of offset off.
func (s *source) position(off int) (line, col int) {
	i := sort.Search(len(s.lineStarts), func(i int) bool { return s.lineStarts[i] > off }) - 1
	return i + 1, off - s.lineStarts[i] + 1
}

// skipLeading returns the offset of the first token at or after off,
// skipping white space, line comments and (nested) block comments.
func skipLeading(src string, off int) int { return skipComments(src, off, false) }

// skipComments is skipLeading; hash also skips MySQL's # comments.
func skipComments(src string, off int, hash bool) int {
	for off < len(src) {
		switch c := src[off]; {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f':
			off++
		case strings.HasPrefix(src[off:], "--") || (hash && c == '#'):
			i := strings.IndexByte(src[off:], '\n')
			if i < 0 {
				return len(src)
			}
			off += i + 1
		case strings.HasPrefix(src[off:], "/*"):
			depth, i := 0, off
			for i < len(src) {
				if strings.HasPrefix(src[i:], "/*") {
					depth++
					i += 2
				} else if strings.HasPrefix(src[i:], "*/") {
					depth--
					i += 2
					if depth == 0 {
						break
					}
				} else {
					i++
				}
			}
			off = i
		default:
			return off
		}
	}
	return off
}

// runeOffset converts a 1-based character position (as PostgreSQL reports
// cursor positions) into a byte offset of s.
func runeOffset(s string, pos int) int {
	if pos <= 1 {
		return 0
	}
	n := 0
	for i := range s {
		n++
		if n == pos {
			return i
		}
	}
	return len(s)
}
