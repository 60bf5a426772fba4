// Package sealing keeps secrets sealed at rest and masked on display: server
// env values, the secrets of oauth_config, the guardrails provider key and
// telemetry credentials. It is a leaf: it knows nothing of the store or the
// API, and the services decide what to seal where.
//
// # Tokens
//
// Seal turns a value into a token, text that is safe in a JSON string and in
// a TEXT column:
//
//	smgsealed:v1:<key id>:<base64url(nonce ‖ ciphertext ‖ tag)>
//
// v1 is AES-256-GCM with a random 96-bit nonce per value, under a key
// derived (HKDF-SHA-256) from the secret key; base64url has no padding. The
// key id is 12 hex digits derived one-way from the key: it names the key
// (for rotations and for errors) and reveals nothing of it. The GCM
// associated data is the token's header ("smgsealed:v1:<key id>:") followed
// by the caller's associated data, the value's place (see AAD): a token
// opens only with the key it names and at the place it was sealed for. A
// token is as long as its value plus 28 bytes, in base64: it hides the
// value, not its length. One key must not seal more than 2^32 values (the
// limit of random nonces): a rotation starts the count again.
//
// # Places
//
// AAD names a value's place: AAD(KindServerEnv, configID, server, NAME) is
// "servers.env:<config id>/<server>/<NAME>"; EnvAAD, OAuthAAD and SettingAAD
// build the places of env values, oauth_config strings and settings. A token
// copied into another row fails to open (ErrAuthentication). A value that
// moves (a configuration copied under a new id) is opened at its old place
// and sealed at its new one.
//
// # Keys
//
// LoadKey reads SMG_SECRET_KEY (base64 or hex of 32 bytes; several keys,
// current first, separated by commas during a rotation) or else the key file
// beside the config file (KeyFileBeside), which it can generate at first
// start: mode 0600, directory 0700, created atomically and never over
// another. A key file that others may read is refused. Keys print as their
// ids; no error holds a key or a value.
//
// # Display
//
// Mask shows a secret as "ghp_…abcd" or "****abcd"; KeepMasked keeps the
// stored value when a client sends back its mask. Rules say which strings of
// a JSON tree are secrets (by member names, named pairs, authorization
// values and URLs with credentials), mask them and keep masked values on
// update; SealTree with Rules.Secret seals exactly what Rules.Mask masks.
//
// # Using it
//
//   - On write: open the stored value, KeepMasked what the client sent
//     against it, refuse input strings that IsSealed (a client never holds
//     a token), then seal (SealMap, SealTree, Seal) with the place.
//   - On read for display: open, then mask (MaskMap, Rules.Mask, Mask).
//   - The gateway opens (OpenMap, OpenTree, Open) only to start an upstream.
//   - Backups carry tokens as stored; restoring them needs the same key.
//   - Rotation: generate a key, write the key file with the new key first
//     and the old one after it (WriteKeyFile), reseal every token in one
//     transaction with a Sealer of both (Reseal, ResealMap, ResealTree, or
//     Rotate between two Sealers), then write the key file with the new key
//     alone.
package sealing
