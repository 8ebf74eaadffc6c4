// Package schemagate holds the vocabulary shared by every part of schemagate:
// the error type that carries an exit code and a recovery hint, and the exit
// codes themselves, which are a stable contract that deploy pipelines script
// against.
//
// The working parts live in their own packages: migration (reading migration
// directories), dialect (one interface per database engine), schema (what a
// schema is and how two differ), apply (the runner), guard (the library a
// service embeds) and lint (risk findings).
package schemagate

import (
	"errors"
	"fmt"
)

// Kind classifies an error by what the operator has to do about it. Each kind
// maps to one process exit code; the mapping never changes.
type Kind int

const (
	// KindError is a runtime failure: connection, SQL, I/O. Exit 1.
	KindError Kind = 1
	// KindUsage is a wrong flag, URL, configuration or input file. Exit 2.
	KindUsage Kind = 2
	// KindBehind means the database is not yet where the release needs it:
	// migrations pending, objects missing. Exit 3.
	KindBehind Kind = 3
	// KindIntegrity means something contradicts the record: an edited
	// migration, an unknown applied version, a migration left in progress,
	// a schema that differs from what the history says. Exit 4.
	KindIntegrity Kind = 4
	// KindTimeout means a lock or a --wait ran out. Exit 5.
	KindTimeout Kind = 5
	// KindRefused means a policy refused the change: a lint finding without
	// approval, or a live release that still needs what the change removes. Exit 6.
	KindRefused Kind = 6
)

// String returns the stable, machine-readable name of the kind, used as the
// "status" of JSON output.
func (k Kind) String() string {
	switch k {
	case KindError:
		return "error"
	case KindUsage:
		return "usage"
	case KindBehind:
		return "behind"
	case KindIntegrity:
		return "integrity"
	case KindTimeout:
		return "timeout"
	case KindRefused:
		return "refused"
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Error is an error an operator can act on: what was being done, what went
// wrong, and what to do next.
type Error struct {
	Kind Kind
	// Reason is a stable snake_case code for scripts ("checksum_mismatch",
	// "pending_migrations", …). It never contains user data.
	Reason string
	// Op names what was being done, e.g. "apply 0042_add_email".
	Op string
	// Err is what went wrong.
	Err error
	// Hint tells the operator what to do next; empty when there is nothing
	// better to say than the error itself.
	Hint string
}

func (e *Error) Error() string {
	msg := ""
	if e.Op != "" {
		msg = e.Op + ": "
	}
	if e.Err != nil {
		msg += e.Err.Error()
	} else {
		msg += e.Reason
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error of the given kind and reason whose message is
// formatted from format and args (which may wrap an error with %w).
func Errorf(kind Kind, reason, format string, args ...any) *Error {
	return &Error{Kind: kind, Reason: reason, Err: fmt.Errorf(format, args...)}
}

// WithHint sets the recovery hint and returns e, for chaining.
func (e *Error) WithHint(format string, args ...any) *Error {
	e.Hint = fmt.Sprintf(format, args...)
	return e
}

// WithOp sets what was being done and returns e, for chaining.
func (e *Error) WithOp(op string) *Error {
	e.Op = op
	return e
}

// KindOf returns the kind of the outermost *Error in err's chain, KindError
// for any other non-nil error, and 0 for nil.
func KindOf(err error) Kind {
	if err == nil {
		return 0
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindError
}

// ExitCode returns the process exit code for err: 0 for nil.
func ExitCode(err error) int { return int(KindOf(err)) }

// HintOf returns the first recovery hint found in err's chain, or "".
func HintOf(err error) string {
	for err != nil {
		var e *Error
		if !errors.As(err, &e) {
			return ""
		}
		if e.Hint != "" {
			return e.Hint
		}
		err = e.Err
	}
	return ""
}

// ReasonOf returns the reason code of the outermost *Error in err's chain,
// or "error" for any other error.
func ReasonOf(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Reason != "" {
		return e.Reason
	}
	return "error"
}
