package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/securemcp/gateway/models"
)

// fixture is what the seeding created and the scenarios read.
type fixture struct {
	run       string
	configIDs []string
	userIDs   []string
	sample    models.ConfigDetailResponse
}

// parallel runs fn(0..n-1) on workers goroutines and returns the first error.
func parallel(ctx context.Context, n, workers int, fn func(i int) error) error {
	var next atomic.Int64
	var once sync.Once
	var first error
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				if err := fn(i); err != nil {
					once.Do(func() { first = err })
					next.Store(int64(n))
					return
				}
			}
		}()
	}
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return first
}

// create sends one creation and decodes the answer's data into into.
func (c *client) create(ctx context.Context, path string, body any, into any) error {
	raw, err := json.Marshal(body)
	if err != nil {
		return err
	}
	status, answer, err := c.do(ctx, "POST", path, raw)
	if err != nil {
		return err
	}
	if status != http.StatusCreated {
		return fmt.Errorf("POST %s: %d %.300s", path, status, answer)
	}
	if into == nil {
		return nil
	}
	return decodeData(answer, into)
}

// seed creates the configurations (with servers), users and optionally one
// membership and API key per user, through the API, and reports the rates.
func seed(ctx context.Context, c *client, o options, out io.Writer) (*fixture, error) {
	f := &fixture{run: strconv.FormatInt(time.Now().UnixNano()%1e9, 36)}
	phase := func(what string, n int, fn func(i int) error) error {
		start := time.Now()
		if err := parallel(ctx, n, o.concurrency, fn); err != nil {
			return fmt.Errorf("seeding %s: %w", what, err)
		}
		elapsed := time.Since(start)
		fmt.Fprintf(out, "seeded %d %s in %s (%.0f/s)\n", n, what, elapsed.Round(time.Millisecond), float64(n)/elapsed.Seconds())
		return nil
	}
	f.configIDs = make([]string, o.configs)
	err := phase("configurations", o.configs, func(i int) error {
		name := fmt.Sprintf("seed-%s-%d", f.run, i)
		var created models.ConfigCreated
		if err := c.create(ctx, "/api/v1/configs", map[string]string{"config_name": name}, &created); err != nil {
			return err
		}
		f.configIDs[i] = created.ConfigID
		for s := 0; s < o.servers; s++ {
			server := fmt.Sprintf("server-%d", s)
			if err := c.create(ctx, "/api/v1/configs/"+created.ConfigID+"/servers", map[string]any{
				"server_name": server, "server_command": "npx", "description": "The " + server + " MCP server",
				"args": []string{"-y", "@modelcontextprotocol/" + server}, "env": map[string]string{"TOKEN_NAME": "GITHUB_TOKEN"},
			}, nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	status, raw, err := c.do(ctx, "GET", "/api/v1/configs/"+f.configIDs[0], nil)
	if err != nil || status != http.StatusOK {
		return nil, fmt.Errorf("read a seeded configuration: %d %v", status, err)
	}
	if err := decodeData(raw, &f.sample); err != nil {
		return nil, err
	}
	if o.users == 0 {
		return f, nil
	}
	f.userIDs = make([]string, o.users)
	err = phase("users", o.users, func(i int) error {
		var created struct {
			UserID string `json:"user_id"`
		}
		err := c.create(ctx, "/api/v1/users", map[string]string{"email": fmt.Sprintf("seed-%s-%d@example.com", f.run, i)}, &created)
		f.userIDs[i] = created.UserID
		return err
	})
	if err != nil || !o.keys {
		return f, err
	}
	project := "seed-" + f.run
	if err := c.create(ctx, "/api/v1/projects", map[string]string{"project_name": project}, nil); err != nil {
		return nil, err
	}
	err = phase("memberships and API keys", o.users, func(i int) error {
		if err := c.create(ctx, "/api/v1/projects/"+project+"/users", map[string]string{"user_id": f.userIDs[i]}, nil); err != nil {
			return err
		}
		return c.create(ctx, "/api/v1/users/"+f.userIDs[i]+"/api-keys", map[string]string{"project_name": project}, nil)
	})
	return f, err
}
