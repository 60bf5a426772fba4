package middleware

import (
	"crypto/sha256"
	"crypto/subtle"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/securemcp/gateway/internal/actor"
	"github.com/securemcp/gateway/services/errs"
)

// AdminKeySource returns the current admin key; it may change at run time.
type AdminKeySource interface {
	AdminKey() string
}

// CredentialCheck inspects the credential of a request: ok admits it;
// otherwise refusal says why, for the 401. A check that answers the request
// itself (a store failure is a 500, not a refusal) aborts it: nothing is then
// counted or written.
type CredentialCheck func(c *gin.Context) (refusal string, ok bool)

// Authenticate admits requests whose credential passes check and refuses the
// others with 401 and WWW-Authenticate: Bearer realm. Only refusals count
// against the client address in limiter: once an address has too many, its
// refused requests get 429 with Retry-After instead, while a valid
// credential from it is still admitted. Credentials are long random secrets,
// so a block that also stopped the right key would protect nothing, and
// would lock out every client sharing the address (all of them, behind a
// reverse proxy) whenever one of them, or an attacker, fails often enough.
//
// Each credential gets a limiter of its own (the admin key one, the gateway's
// user keys another), so that failures at one never throttle the other.
func Authenticate(realm string, check CredentialCheck, limiter *AuthLimiter) gin.HandlerFunc {
	challenge := `Bearer realm="` + realm + `"`
	return func(c *gin.Context) {
		refusal, ok := check(c)
		switch {
		case ok:
			c.Next()
			return
		case c.IsAborted():
			return
		}
		addr := c.ClientIP()
		if wait, blocked := limiter.Blocked(addr); blocked {
			c.Header("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
			WriteError(c, http.StatusTooManyRequests, errs.KindTooManyRequests.String(),
				"too many failed authentication attempts from this address; retry later (a valid key is always accepted)")
			return
		}
		limiter.Fail(addr)
		c.Header("WWW-Authenticate", challenge)
		WriteError(c, http.StatusUnauthorized, errs.KindUnauthorized.String(), refusal)
	}
}

// NamedKeyCheck checks a bearer token that is not the bootstrap admin key: a
// named admin key. On success it puts the key's actor into the request (see
// SetActor); otherwise it says why, or answers the request itself, as a
// CredentialCheck does.
type NamedKeyCheck func(c *gin.Context, token string) (refusal string, ok bool)

// AdminAuth requires "Authorization: Bearer <admin key>", throttling failures
// in limiter (see Authenticate). The key is the bootstrap key of keys, or a
// named admin key that named (optional) admits.
func AdminAuth(keys AdminKeySource, named NamedKeyCheck, limiter *AuthLimiter) gin.HandlerFunc {
	return Authenticate("secure-mcp-gateway", AdminKeyCheck(keys, named), limiter)
}

// AdminKeyCheck checks "Authorization: Bearer <admin key>". Both keys are
// hashed before a constant-time comparison, so neither their content nor
// their length shows in the timing. The bootstrap key acts as actor.Root
// with the admin role; any other token goes to named, when given.
func AdminKeyCheck(keys AdminKeySource, named NamedKeyCheck) CredentialCheck {
	return func(c *gin.Context) (string, bool) {
		token, ok := BearerToken(c)
		if !ok {
			return "missing bearer token: send Authorization: Bearer <admin_apikey>", false
		}
		expected := keys.AdminKey()
		got := sha256.Sum256([]byte(token))
		want := sha256.Sum256([]byte(expected))
		if expected != "" && subtle.ConstantTimeCompare(got[:], want[:]) == 1 {
			SetActor(c, actor.Actor{Kind: actor.Root, Role: actor.RoleAdmin})
			return "", true
		}
		if named != nil {
			return named(c, token)
		}
		return "invalid admin API key", false
	}
}

// SetActor puts a, with the request's id and client address, into the
// context of the request, where services and the audit trail find who acts.
// The address is the router's ClientIP: the TCP peer, or behind a trusted
// proxy the address it forwarded.
func SetActor(c *gin.Context, a actor.Actor) {
	a.RequestID = RequestIDOf(c)
	a.Addr = c.ClientIP()
	c.Request = c.Request.WithContext(actor.With(c.Request.Context(), a))
}

// BearerToken returns the token of "Authorization: Bearer <token>", trimmed.
func BearerToken(c *gin.Context) (string, bool) {
	scheme, token, ok := strings.Cut(c.GetHeader("Authorization"), " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", false
	}
	return token, true
}
