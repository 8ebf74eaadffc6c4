package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/schemagate/schemagate"
)

// SnapshotFile is the conventional name of a snapshot file.
const SnapshotFile = "schemagate.snapshot.json"

// FormatVersion is the snapshot format this package writes and reads. It
// changes only when an older schemagate could no longer read the file
// correctly; such a file is refused, never half-understood.
const FormatVersion = 1

// Snapshot is the content of a snapshot file: the schema a release needs,
// with its fingerprint.
type Snapshot struct {
	FormatVersion int `json:"format_version"`
	// Dialect repeats Schema.Dialect at the top of the file, so that a
	// snapshot for another engine is refused before anything is compared.
	Dialect     string  `json:"dialect"`
	Fingerprint string  `json:"fingerprint"`
	Schema      *Schema `json:"schema"`
}

// EncodeSnapshot returns the snapshot file for s: JSON in canonical order,
// indented by two spaces, with every object or list that holds only plain
// values (a column, a list of key columns, an enum's values) on one line,
// and a trailing newline. The same schema always yields the same bytes,
// whatever order its objects were created or listed in.
func EncodeSnapshot(s *Schema) []byte {
	c := s.Canonical()
	canonical := compactJSON(c)
	dialect, _ := json.Marshal(c.Dialect) // a string always encodes
	compact := make([]byte, 0, len(canonical)+200)
	compact = fmt.Appendf(compact, `{"format_version":%d,"dialect":%s,"fingerprint":"%s","schema":`,
		FormatVersion, dialect, fingerprintOf(canonical))
	compact = append(compact, canonical...)
	compact = append(compact, '}')
	out := layoutJSON(make([]byte, 0, len(compact)+len(compact)/2), compact, 0)
	return append(out, '\n')
}

// DecodeSnapshot parses a snapshot file and checks it. It returns a
// *schemagate.Error:
//   - KindUsage, reason "snapshot_malformed", when data is not a snapshot;
//   - KindUsage, reason "snapshot_format", when it was written in a format
//     version this schemagate does not read;
//   - KindIntegrity, reason "snapshot_corrupt", when the content does not
//     match its fingerprint (edited by hand or damaged).
//
// The returned schema is in canonical order. Callers comparing it with a
// database must also call CheckDialect.
func DecodeSnapshot(data []byte) (*Snapshot, error) {
	var head struct {
		FormatVersion *int `json:"format_version"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, snapshotMalformed(err)
	}
	if head.FormatVersion == nil {
		return nil, snapshotMalformed(errors.New("no format_version: this is not a schemagate snapshot"))
	}
	if v := *head.FormatVersion; v != FormatVersion {
		e := schemagate.Errorf(schemagate.KindUsage, "snapshot_format",
			"snapshot format version %d is not supported; this schemagate reads version %d", v, FormatVersion).
			WithOp("read snapshot")
		if v > FormatVersion {
			return nil, e.WithHint("the snapshot was written by a newer schemagate: upgrade schemagate, or rebuild the snapshot with `schemagate snapshot`")
		}
		return nil, e.WithHint("rebuild the snapshot with `schemagate snapshot`")
	}

	var snap Snapshot
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&snap); err != nil {
		return nil, snapshotMalformed(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, snapshotMalformed(errors.New("unexpected data after the snapshot object"))
	}
	if snap.Schema == nil {
		return nil, snapshotMalformed(errors.New("no schema"))
	}
	if snap.Dialect == "" {
		return nil, snapshotMalformed(errors.New("no dialect"))
	}
	if err := snap.Schema.checkComplete(); err != nil {
		return nil, snapshotMalformed(err)
	}
	if snap.Schema.Dialect != snap.Dialect {
		return nil, snapshotCorrupt(fmt.Errorf("the file says dialect %q but its schema says %q", snap.Dialect, snap.Schema.Dialect))
	}
	if got := snap.Schema.Fingerprint(); got != snap.Fingerprint {
		return nil, snapshotCorrupt(fmt.Errorf("the recorded fingerprint %s does not match the content (%s)", snap.Fingerprint, got))
	}
	snap.Schema = snap.Schema.Canonical()
	return &snap, nil
}

// CheckDialect returns a *schemagate.Error of KindUsage, reason
// "snapshot_dialect", when the snapshot describes a schema of another
// engine than dialect.
func (s *Snapshot) CheckDialect(dialect string) error {
	if s.Dialect == dialect {
		return nil
	}
	return schemagate.Errorf(schemagate.KindUsage, "snapshot_dialect",
		"the snapshot describes a %s schema but the database is %s", s.Dialect, dialect).
		WithOp("read snapshot").
		WithHint("build the snapshot on a %s development database: schemagate snapshot --dev-url URL", dialect)
}

func snapshotMalformed(err error) error {
	return schemagate.Errorf(schemagate.KindUsage, "snapshot_malformed", "not a valid snapshot file: %w", err).
		WithOp("read snapshot").
		WithHint("pass the %s written by `schemagate snapshot`", SnapshotFile)
}

func snapshotCorrupt(err error) error {
	return schemagate.Errorf(schemagate.KindIntegrity, "snapshot_corrupt", "%w", err).
		WithOp("read snapshot").
		WithHint("the snapshot was edited by hand or corrupted; rebuild it with `schemagate snapshot`")
}

// checkComplete rejects a decoded schema with null entries, which the model
// never contains and the rest of the package does not expect.
func (s *Schema) checkComplete() error {
	for i, t := range s.Tables {
		if t == nil {
			return fmt.Errorf("tables[%d] is null", i)
		}
		if err := t.checkComplete(); err != nil {
			return fmt.Errorf("table %q: %w", t.Name, err)
		}
	}
	if err := noNulls("views", s.Views); err != nil {
		return err
	}
	if err := noNulls("enums", s.Enums); err != nil {
		return err
	}
	return noNulls("sequences", s.Sequences)
}

func (t *Table) checkComplete() error {
	if err := noNulls("columns", t.Columns); err != nil {
		return err
	}
	if err := noNulls("indexes", t.Indexes); err != nil {
		return err
	}
	if err := noNulls("uniques", t.Uniques); err != nil {
		return err
	}
	if err := noNulls("checks", t.Checks); err != nil {
		return err
	}
	return noNulls("foreign_keys", t.ForeignKeys)
}

func noNulls[T any](field string, list []*T) error {
	for i, v := range list {
		if v == nil {
			return fmt.Errorf("%s[%d] is null", field, i)
		}
	}
	return nil
}
