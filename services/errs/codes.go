package errs

// codes is the one table of error codes: the word that names each kind in the
// "error" member of the API's error envelope and of the CLI's error output.
// Each shell decides the rest in its own terms: the API the HTTP status
// (controllers), the CLI its exit status.
var codes = [...]string{
	KindInternal:         "internal",
	KindInvalid:          "invalid",
	KindNotFound:         "not_found",
	KindConflict:         "conflict",
	KindTooLarge:         "payload_too_large",
	KindUnavailable:      "unavailable",
	KindUnauthorized:     "unauthorized",
	KindForbidden:        "forbidden",
	KindTooManyRequests:  "too_many_requests",
	KindMethodNotAllowed: "method_not_allowed",
	KindTimeout:          "timeout",
}

// String is the code of k; a kind outside the table is internal.
func (k Kind) String() string {
	if k < 0 || int(k) >= len(codes) {
		return codes[KindInternal]
	}
	return codes[k]
}

// FaultCode is the code the API reports a failure on its own side by (a 5xx
// answer): the kind's code with "_error", so that a client tells "the server
// failed" from "the request was refused" by the code alone.
func (k Kind) FaultCode() string { return k.String() + "_error" }

// Kinds lists every kind, so that each shell can check it answers them all.
func Kinds() []Kind {
	kinds := make([]Kind, len(codes))
	for i := range codes {
		kinds[i] = Kind(i)
	}
	return kinds
}
