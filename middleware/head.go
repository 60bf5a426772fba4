package middleware

import (
	"context"
	"net/http"
)

type originalMethodKey struct{}

// HeadAsGet answers HEAD requests as the GET of the same path would be
// answered, without the body (net/http discards a HEAD response's body), as
// HTTP asks of every GET resource: load balancers and uptime checks probe
// with HEAD. The router sees a GET; logs, metrics and errors still say HEAD.
func HeadAsGet(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead {
			r = r.Clone(context.WithValue(r.Context(), originalMethodKey{}, http.MethodHead))
			r.Method = http.MethodGet
		}
		next.ServeHTTP(w, r)
	})
}

// RequestMethod is the method the client sent (HEAD for a HEAD request that
// the router serves as a GET).
func RequestMethod(r *http.Request) string {
	if m, ok := r.Context().Value(originalMethodKey{}).(string); ok {
		return m
	}
	return r.Method
}
