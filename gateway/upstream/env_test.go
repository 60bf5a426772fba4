package upstream

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// TestUpstreamEnvironmentIsExactlyAllowed is not parallel: it sets the test
// process's environment.
func TestUpstreamEnvironmentIsExactlyAllowed(t *testing.T) {
	t.Setenv("SMG_ADMIN_API_KEY", "admin-key-must-not-leak")
	t.Setenv("SMG_DATABASE_URL", "postgres://secret@db/smg")
	t.Setenv("UPSTREAM_TEST_RANDOM", "random-value")
	t.Setenv("LANG", "C.UTF-8")

	spec := serveSpec("env")
	spec.Env = map[string]string{"OWN_TOKEN": "own-value", "LANG": "fr_FR.UTF-8"}

	cases := []struct {
		name  string
		allow []string
	}{
		{"default allow-list", nil},
		{"custom allow-list", []string{"UPSTREAM_TEST_RANDOM", "PATH"}},
		{"nothing inherited", []string{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := newPool(t, Options{EnvAllowList: tc.allow})
			got := strings.Split(call(t, p, "iso", spec, "env", "{}"), "\n")

			allow := tc.allow
			if allow == nil {
				allow = DefaultEnvAllowList()
			}
			want := []string{"OWN_TOKEN=own-value", "LANG=fr_FR.UTF-8"} // the server's own wins
			for _, name := range allow {
				if v, ok := os.LookupEnv(name); ok && name != "LANG" {
					want = append(want, name+"="+v)
				}
			}
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("upstream environment:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

func TestAllowListRefusesGatewaySettings(t *testing.T) {
	t.Parallel()
	for _, allow := range [][]string{{"PATH", "SMG_ADMIN_API_KEY"}, {"smg_database_url"}, {"A=B"}, {""}} {
		if _, err := New(Options{EnvAllowList: allow}); err == nil {
			t.Errorf("New accepted the allow-list %q", allow)
		}
	}
}

func TestOptionsRefuseNegativeLimits(t *testing.T) {
	t.Parallel()
	_, err := New(Options{StartTimeout: -1, MaxProcesses: -1})
	if err == nil || !strings.Contains(err.Error(), "StartTimeout") || !strings.Contains(err.Error(), "MaxProcesses") {
		t.Errorf("New = %v, want both settings named", err)
	}
}

func TestRedactorHidesEnvValues(t *testing.T) {
	t.Parallel()
	r := redactor(map[string]string{"A": "sk-secret", "B": "sk-secret-longer", "C": "on"})
	got := r.Replace("keys sk-secret-longer and sk-secret, flag on")
	if want := "keys [redacted] and [redacted], flag on"; got != want {
		t.Errorf("redacted = %q, want %q", got, want)
	}
}
