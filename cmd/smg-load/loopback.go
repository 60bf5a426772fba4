package main

import (
	"fmt"
	"net"
	"net/url"
)

// requireLoopback refuses any target that is not on this machine's loopback.
func requireLoopback(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return fmt.Errorf("-url %q is not an http(s) URL", raw)
	}
	ips, err := net.LookupIP(u.Hostname())
	if err != nil {
		return fmt.Errorf("resolve %s: %w", u.Hostname(), err)
	}
	for _, ip := range ips {
		if !ip.IsLoopback() {
			return fmt.Errorf("-url %s resolves to %s: smg-load only drives loopback addresses", raw, ip)
		}
	}
	return nil
}
