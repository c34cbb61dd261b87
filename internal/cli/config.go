package cli

import (
	"fmt"
	"io"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/alecthomas/kong"
	"gopkg.in/yaml.v3"

	"github.com/gqlplan/gqlplan/decl"
)

// A configuration file (--config FILE) is a YAML mapping of flags by their
// long names — database-url, jwt-secret, max-depth — for any command. A
// flag given on the command line or in its environment variable wins over
// the file, and the file over the default. A key that is no flag is an
// error that says which flag was meant, as the declarations' keys are.

// configFile is what a configuration file sets, by flag name.
type configFile struct {
	name   string
	values map[string]any
}

// loadConfigFile reads a configuration file (kong's ConfigurationLoader).
func loadConfigFile(r io.Reader) (kong.Resolver, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	name := "the configuration file"
	if f, ok := r.(*os.File); ok {
		name = f.Name()
	}
	values := map[string]any{}
	if err := yaml.Unmarshal(data, &values); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &configFile{name: name, values: values}, nil
}

// Validate refuses a key that names no flag of any command.
func (c *configFile) Validate(app *kong.Application) error {
	var names []string
	var walk func(n *kong.Node)
	walk = func(n *kong.Node) {
		for _, f := range n.Flags {
			names = append(names, f.Name)
		}
		for _, child := range n.Children {
			walk(child)
		}
	}
	walk(app.Node)
	keys := make([]string, 0, len(c.values))
	for k := range c.values {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !slices.Contains(names, k) {
			return fmt.Errorf("%s: unknown key %q: keys are flags' long names%s", c.name, k, decl.DidYouMean(k, names))
		}
	}
	return nil
}

// Resolve gives a flag its value from the file, unless its environment
// variable is set: the environment wins over the file.
func (c *configFile) Resolve(_ *kong.Context, _ *kong.Path, flag *kong.Flag) (any, error) {
	for _, env := range flag.Envs {
		if _, ok := os.LookupEnv(env); ok {
			return nil, nil
		}
	}
	v, ok := c.values[flag.Name]
	if !ok {
		return nil, nil
	}
	if list, ok := v.([]any); ok { // kong reads a list flag from its separated form
		parts := make([]string, len(list))
		for i, e := range list {
			parts[i] = fmt.Sprint(e)
		}
		return strings.Join(parts, ","), nil
	}
	return v, nil
}

// ConfigCmd prints the configuration serve would run with.
type ConfigCmd struct {
	ServeCmd `embed:""`
}

// Run prints each flag of serve with its effective value, as a
// configuration file would hold it; secrets are redacted.
func (c *ConfigCmd) Run(kctx *kong.Context, env *Env) error {
	var b strings.Builder
	b.WriteString("# gqlplan serve's configuration: command line > environment > --config file > default\n")
	for _, f := range kctx.Flags() {
		if f.Name == "help" || f.Name == "version" || f.Name == "config" || f.Hidden {
			continue
		}
		v := fmt.Sprint(kctx.FlagValue(f))
		if s, ok := kctx.FlagValue(f).([]string); ok {
			v = strings.Join(s, ",")
		}
		v = redact(f.Name, v)
		out, _ := yaml.Marshal(map[string]string{f.Name: v})
		b.Write(out)
	}
	_, err := io.WriteString(env.Stdout, b.String())
	return err
}

// redact hides what a configuration printout must not show: secrets, and
// the password of a database URL (a URL or key=value form).
func redact(flag, value string) string {
	if value == "" {
		return value
	}
	if strings.Contains(flag, "secret") || strings.Contains(flag, "password") {
		return "(redacted)"
	}
	if !strings.Contains(flag, "database-url") {
		return value
	}
	if u, err := url.Parse(value); err == nil && u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "redacted")
			return u.String()
		}
		return value
	}
	return passwordValue.ReplaceAllString(value, "${1}redacted")
}

var passwordValue = regexp.MustCompile(`(password\s*=\s*)('[^']*'|\S+)`)
