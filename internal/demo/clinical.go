package demo

import (
	"context"

	"github.com/dosebook/dosebook/internal/config"
	"github.com/dosebook/dosebook/internal/store"
)

// seedClinical adds demo patients once clinical records exist.
func seedClinical(ctx context.Context, db *store.DB, cfg config.Config, res Result) ([]PatientInfo, error) {
	return nil, nil
}
