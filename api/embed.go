// Package api holds the OpenAPI description of Dosebook's HTTP API, the
// truth about it: tests check every route is described and every response
// matches.
package api

import _ "embed"

// Spec is api/openapi.yaml.
//
//go:embed openapi.yaml
var Spec []byte
