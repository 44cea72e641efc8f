package store_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dosebook/dosebook/internal/store"
)

// A SQLite URL whose directory is missing is named as such, not as
// SQLite's "out of memory (14)", by the check and by Open.
func TestSQLiteDirectoryMustExist(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "plain-file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "no", "such")
	tests := []struct {
		url, err string
	}{
		{url: "sqlite://" + filepath.Join(missing, "x.db"), err: "directory " + missing + " for the SQLite database does not exist"},
		{url: "file:" + filepath.Join(missing, "x.db"), err: "directory " + missing + " for the SQLite database does not exist"},
		{url: "sqlite://" + filepath.Join(file, "x.db"), err: file + ", where the SQLite database would go, is not a directory"},
		{url: "sqlite://" + filepath.Join(dir, "x.db")},
		{url: "sqlite://x.db"},
		{url: ""},
		{url: "postgres://nowhere.invalid/db"},
		{url: "mysql://x"}, // DialectOf's to refuse
	}
	for _, tt := range tests {
		err := store.CheckSQLiteDir(tt.url)
		if tt.err == "" {
			if err != nil {
				t.Errorf("CheckSQLiteDir(%q) = %v, want nil", tt.url, err)
			}
			continue
		}
		if err == nil || !strings.HasPrefix(err.Error(), tt.err) {
			t.Errorf("CheckSQLiteDir(%q) = %v, want %q…", tt.url, err, tt.err)
		}
	}
	_, err := store.Open(context.Background(), "sqlite://"+filepath.Join(missing, "x.db"), store.Options{})
	if err == nil || !strings.Contains(err.Error(), "directory "+missing+" for the SQLite database does not exist") {
		t.Fatalf("Open = %v", err)
	}
}
