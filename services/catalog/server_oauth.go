package catalog

// A server's oauth_config holds the credentials the gateway presents to it
// (OAUTH_CLIENT_SECRET, tokens in OAUTH_CUSTOM_HEADERS, …). Its secret
// strings (sealed.OAuthRules) are sealed in the store like env values;
// every answer to a client shows them masked, and a masked value sent back
// in an update keeps the stored one, so that a client may edit what it read
// without knowing the secrets.
