// Package migrations holds the versioned SQL schema, one folder per dialect
// with the same version numbers, embedded in the binary.
package migrations

import "embed"

// FS holds postgres/*.sql and sqlite/*.sql.
//
//go:embed postgres/*.sql sqlite/*.sql
var FS embed.FS
