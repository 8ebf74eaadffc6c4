package main

import (
	"errors"
	"os"
	"path/filepath"

	"go.yaml.in/yaml/v3"

	"github.com/schemagate/schemagate"
	"github.com/schemagate/schemagate/approval"
	"github.com/schemagate/schemagate/lint"
)

// defaultConfig is read when --config is not given and the file exists.
const defaultConfig = "schemagate.yaml"

// gatePolicy is the gated process as schemagate.yaml configures it: the
// lint policy, and the keys whose approvals count.
type gatePolicy struct {
	Policy  *lint.Policy
	Signers *approval.AllowedSigners
	// Configured is true when the configuration has a lint section: the
	// project opted into the gate, and apply enforces it too.
	Configured bool
}

// gatePolicy reads the lint policy from the configuration file. Without a
// file it returns the default policy, not configured.
func (a *app) gatePolicy() (*gatePolicy, error) {
	path := a.config
	if path == "" {
		if _, err := os.Stat(defaultConfig); err != nil {
			return &gatePolicy{Policy: &lint.Policy{}}, nil
		}
		path = defaultConfig
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, schemagate.Errorf(schemagate.KindUsage, "config_unreadable", "read %s: %w", path, err)
	}
	policy, err := lint.LoadPolicy(path)
	if err != nil {
		return nil, err
	}
	var keys map[string]yaml.Node
	if err := yaml.Unmarshal(data, &keys); err != nil {
		return nil, schemagate.Errorf(schemagate.KindUsage, "config_invalid", "%s: %v", path, err)
	}
	_, configured := keys["lint"]
	g := &gatePolicy{Policy: policy, Configured: configured}
	if policy.AllowedSigners != "" {
		signers := policy.AllowedSigners
		if !filepath.IsAbs(signers) {
			signers = filepath.Join(filepath.Dir(path), signers)
		}
		if g.Signers, err = approval.LoadAllowedSigners(signers); err != nil {
			var sgErr *schemagate.Error
			if errors.As(err, &sgErr) {
				return nil, err
			}
			return nil, schemagate.Errorf(schemagate.KindUsage, "allowed_signers_unreadable", "%s: %w", signers, err)
		}
	}
	return g, nil
}
