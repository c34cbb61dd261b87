package pgcluster

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/jackc/pgx/v5"
)

// SQLFiles are a project directory's *.sql files in name order, the order
// gqlplan dev applies them in (schema.sql before seed.sql).
func SQLFiles(dir string) []string {
	files, _ := filepath.Glob(filepath.Join(dir, "*.sql"))
	slices.Sort(files)
	return files
}

// ApplySQLFiles runs dir's SQL files, in SQLFiles order, on the database
// at dsn, each as one script.
func ApplySQLFiles(ctx context.Context, dsn, dir string) error {
	files := SQLFiles(dir)
	if len(files) == 0 {
		return fmt.Errorf("pgcluster: no *.sql files in %s", dir)
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	for _, f := range files {
		sql, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		if _, err := conn.Exec(ctx, string(sql)); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
	}
	return nil
}
