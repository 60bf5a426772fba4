package main

import (
	"context"
	"fmt"
	"net/url"
)

// mcpServerDef is a server of a seeded configuration.
type mcpServerDef struct {
	Name    string   `json:"server_name"`
	Command string   `json:"server_command"`
	Args    []string `json:"args"`
	// Shared runs one process for every user of the configuration.
	Shared bool `json:"shared_process"`
}

// seedGatewayConfig creates a configuration with servers, a project using
// it and users members of it, each with a gateway key, through the admin
// API as an operator would (the Quick Start), and returns the keys.
func seedGatewayConfig(ctx context.Context, c *client, name string, servers []mcpServerDef, users int) ([]string, error) {
	if err := c.create(ctx, "/api/v1/configs", map[string]string{"config_name": name}, nil); err != nil {
		return nil, err
	}
	for _, s := range servers {
		s.Args = append([]string{}, s.Args...)
		if err := c.create(ctx, "/api/v1/configs/"+url.PathEscape(name)+"/servers", s, nil); err != nil {
			return nil, err
		}
	}
	project := name + "-project"
	if err := c.create(ctx, "/api/v1/projects", map[string]string{"project_name": project}, nil); err != nil {
		return nil, err
	}
	status, raw, err := c.do(ctx, "POST", "/api/v1/projects/"+url.PathEscape(project)+"/assign-config",
		[]byte(fmt.Sprintf(`{"config_name": %q}`, name)))
	if err != nil || status != 200 {
		return nil, fmt.Errorf("assign %s to %s: %d %v %.200s", name, project, status, err, raw)
	}
	keys := make([]string, users)
	err = parallel(ctx, users, min(users, 8), func(i int) error {
		email := fmt.Sprintf("%s-%d@example.com", name, i)
		if err := c.create(ctx, "/api/v1/users", map[string]string{"email": email}, nil); err != nil {
			return err
		}
		if err := c.create(ctx, "/api/v1/projects/"+url.PathEscape(project)+"/users", map[string]string{"email": email}, nil); err != nil {
			return err
		}
		var key struct {
			Secret string `json:"api_key"`
		}
		if err := c.create(ctx, "/api/v1/users/"+url.PathEscape(email)+"/api-keys", map[string]string{"project_name": project}, &key); err != nil {
			return err
		}
		keys[i] = key.Secret
		return nil
	})
	return keys, err
}
