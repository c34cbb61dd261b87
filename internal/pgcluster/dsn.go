package pgcluster

import (
	"net/url"
	"strings"
)

// WithDatabase returns dsn pointing at database name, in the syntax (URL or
// keyword/value) the administrator's connection string used.
func WithDatabase(dsn, name string) (string, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return "", err
		}
		u.Path = "/" + name
		return u.String(), nil
	}
	return dsn + " dbname=" + name, nil // a later keyword overrides an earlier one
}

// WithUser returns dsn connecting as user, without a password: the
// throwaway cluster trusts its local connections.
func WithUser(dsn, user string) (string, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return "", err
		}
		u.User = url.User(user)
		return u.String(), nil
	}
	return dsn + " user=" + user + " password=''", nil // quoted: a bare "password=" would take the next keyword as its value
}
