package schema

// layoutJSON appends src, compact JSON as encoding/json writes it, to dst in
// the snapshot file's layout: every object or array that holds another
// object or array is spread over lines indented by two spaces per level;
// one that holds only scalars stays on one line ({"name": "id", "type":
// "bigint"}, ["a", "b"]). A column, a key list or an enum's values is thus
// one line, so a snapshot reads well and diffs well in review, and the
// file stays small.
//
// src must be valid: layoutJSON does not check it.
func layoutJSON(dst, src []byte, depth int) []byte {
	l := layout{src: src, out: dst}
	l.value(depth)
	return l.out
}

type layout struct {
	src []byte
	pos int
	out []byte
}

func (l *layout) value(depth int) {
	switch c := l.src[l.pos]; c {
	case '{', '[':
		if l.flat() {
			l.flatContainer()
			return
		}
		closing := byte('}')
		if c == '[' {
			closing = ']'
		}
		l.out = append(l.out, c)
		l.pos++
		for {
			l.newline(depth + 1)
			if c == '{' {
				l.str()
				l.out = append(l.out, ':', ' ')
				l.pos++ // ':'
			}
			l.value(depth + 1)
			if l.src[l.pos] != ',' {
				break
			}
			l.out = append(l.out, ',')
			l.pos++
		}
		l.newline(depth)
		l.out = append(l.out, closing)
		l.pos++
	case '"':
		l.str()
	default:
		start := l.pos
		for l.pos < len(l.src) {
			if b := l.src[l.pos]; b == ',' || b == '}' || b == ']' {
				break
			}
			l.pos++
		}
		l.out = append(l.out, l.src[start:l.pos]...)
	}
}

// flat reports whether the container at pos holds no container (an empty
// one counts as flat). It stops at the first nested container, so the
// check costs little for the large containers that are not flat.
func (l *layout) flat() bool {
	for i := l.pos + 1; i < len(l.src); i++ {
		switch l.src[i] {
		case '"':
			i = l.stringEnd(i) - 1
		case '{', '[':
			return false
		case '}', ']':
			return true
		}
	}
	return true
}

// flatContainer copies a flat container, with a space after each comma and
// colon.
func (l *layout) flatContainer() {
	for {
		b := l.src[l.pos]
		switch b {
		case '"':
			l.str()
			continue
		case ',', ':':
			l.out = append(l.out, b, ' ')
		default:
			l.out = append(l.out, b)
		}
		l.pos++
		if b == '}' || b == ']' {
			return
		}
	}
}

func (l *layout) str() {
	end := l.stringEnd(l.pos)
	l.out = append(l.out, l.src[l.pos:end]...)
	l.pos = end
}

// stringEnd returns the index just past the string literal starting at i.
func (l *layout) stringEnd(i int) int {
	for i++; i < len(l.src); i++ {
		switch l.src[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(l.src)
}

func (l *layout) newline(depth int) {
	l.out = append(l.out, '\n')
	for range depth {
		l.out = append(l.out, ' ', ' ')
	}
}
