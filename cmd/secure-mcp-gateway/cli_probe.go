package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/spf13/cobra"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/services/errs"
)

// DefaultProbeTimeout bounds a probe of a running server: longer than the
// server's own limit on the store's answer (services.PingTimeout), so that a
// slow store is reported by the server (503) rather than as no answer.
const DefaultProbeTimeout = 5 * time.Second

// maxProbeBody bounds what a probe reads of an answer.
const maxProbeBody = 64 << 10

// probeFlags declares the flags of `system health-check` that make it ask a
// running server instead of the store.
func probeFlags(cmd *cobra.Command) {
	cmd.Flags().String("url", "", "ask a running server instead of the store: GET this URL (e.g. http://127.0.0.1:8001/readyz) and succeed on a 2xx answer")
	cmd.Flags().Duration("timeout", DefaultProbeTimeout, "with --url: how long to wait for the answer")
}

// probe asks a running server over HTTP, as a container health check does
// (the image has no shell and no HTTP client): GET rawURL, print the answer's
// envelope and succeed on 2xx; fail (exit 1) on any other status, on no
// answer within timeout, or on a redirect (a probe is not a browser). It
// reads neither the config file nor the store.
func probe(ctx context.Context, out io.Writer, rawURL string, timeout time.Duration) error {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errs.Invalid("--url must be an http:// or https:// URL with a host, such as http://127.0.0.1:8001/readyz")
	}
	if timeout <= 0 {
		return errs.Invalid("--timeout must be positive")
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return errs.Invalid("--url: %v", err)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		return &errs.Error{Kind: errs.KindUnavailable, Message: fmt.Sprintf("no answer from %s within %s: %v", u.Redacted(), timeout, err)}
	}
	defer func() { _ = res.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(res.Body, maxProbeBody))
	if err != nil {
		return &errs.Error{Kind: errs.KindUnavailable, Message: fmt.Sprintf("reading the answer of %s: %v", u.Redacted(), err)}
	}
	if res.StatusCode < 200 || res.StatusCode > 299 {
		detail := ""
		var e models.ErrorResponse
		if json.Unmarshal(body, &e) == nil && e.Detail != "" {
			detail = ": " + e.Detail
		}
		return &errs.Error{Kind: errs.KindUnavailable, Message: fmt.Sprintf("%s answered %s%s", u.Redacted(), res.Status, detail)}
	}
	var indented bytes.Buffer
	if json.Indent(&indented, body, "", "  ") != nil {
		// Not the gateway's envelope (another service at that URL?): say so plainly.
		writeJSON(out, models.Envelope{Message: fmt.Sprintf("%s answered %s", u.Redacted(), res.Status), Timestamp: time.Now().UTC()})
		return nil
	}
	indented.WriteByte('\n')
	_, err = out.Write(indented.Bytes())
	return err
}
