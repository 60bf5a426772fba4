// Package guardrails applies the guardrails policies of an MCP server
// (input_guardrails_policy, output_guardrails_policy,
// tool_guardrails_policy) at the gateway's enforcement points: before an
// upstream tool runs (CheckInput), after it answers (CheckOutput), and when
// tools are discovered (CheckTools). It is a leaf: no store, no HTTP server.
//
// # What is checked
//
// Unlike the original system, which checked one argument field and the
// first text item, every string is read:
//
//   - input: the tool name, and every string of the arguments at any depth,
//     object keys included;
//   - output: every text content item, embedded resource text and URI,
//     resource link name/title/description/URI, and every string of
//     structuredContent (image and audio data, resource blobs and _meta are
//     left out); any JSON that is not a CallToolResult is read whole;
//   - tools: name, title, description, annotation title, and every string
//     and key of the input and output schemas, where tool-poisoning
//     instructions hide.
//
// Payloads are raw JSON (json.RawMessage): the gateway passes what it has,
// and the package depends on no MCP library.
//
// # Policies
//
// A Policy is built from a stored policy by NewPolicy(enabled, policy_name,
// block, additional_config). The block list names the detectors whose
// detections block; detectors that have settings in additional_config run
// too and report without blocking (unless block-listed). Keys of
// additional_config read by the engine:
//
//	"mode": "enforce" | "monitor"   enforce (default) blocks; monitor runs every check,
//	                                records what it would have done (Verdict.WouldBlock),
//	                                and never blocks nor rewrites a payload
//	"pii_redaction": true           the original's flag: PII in argument values becomes
//	                                placeholders (<PII_EMAIL_1>) before forwarding and is
//	                                restored in the result; pii then redacts, not blocks
//	"strict": true                  a block-listed detector that could not be evaluated
//	                                blocks (fail closed) instead of being reported
//	"relevancy" | "adherence" | "hallucination": true
//	                                the original's output checks (not evaluated locally)
//
// Detector settings of the local provider (all optional):
//
//	"pii":              {"entities": ["email", "phone", "credit_card", "iban", "national_id",
//	                                  "ip_address", "secrets", "pii"]}
//	"secrets":          {"high_entropy": false}
//	"keyword_detector": {"banned_keywords": ["..."], "regex": ["(?i)..."]}
//	"topic_detector":   {"topic": ["airline"], "denied_topics": ["politics",
//	                     {"name": "competitors", "keywords": ["..."]}], "min_words": 12, "min_matches": 2}
//	"sponge_attack":    {"max_length": 262144, "max_repeated_fraction": 0.5,
//	                     "min_unique_ratio": 0.05, "min_words": 500}
//	"policy_violation": {"rules": [{"name": "...", "pattern": "...", "keywords": ["..."]}]}
//
// Validate (or Engine.Validate) reports settings of the wrong type, invalid
// regular expressions, unknown detector names, and detectors the provider
// will not evaluate; configuration validation and the gateway's start call
// it.
//
// # Verdicts
//
// A Verdict says whether the payload may pass, lists detections by
// detector (action, count, kinds, masked sample, first matches with their
// JSON path and offsets), and lists the detectors that were not evaluated —
// never counted as passed: they appear in NotEvaluated and in Reason when
// block-listed, and block under a strict policy. Samples never show a
// secret or PII whole. A provider failure, malformed JSON, a canceled
// context or a failed redaction blocks under an enforcing policy (fail
// closed); Verdict.Err keeps the cause for the log.
//
// # Providers
//
// LocalProvider (the default) needs no network and evaluates pii, secrets,
// injection_attack, keyword_detector, topic_detector, sponge_attack and
// policy_violation; toxicity, nsfw, bias, relevancy, adherence and
// hallucination need a model and are reported as not evaluated.
// EnkryptProvider speaks the Enkrypt AI API as the original system does
// (policy detect, batch detect for tools, PII redact and restore), with the
// caller's base URL and API key and a 15 s timeout, failing closed.
//
// Every function is safe for concurrent use and never panics on any input
// (FuzzEvaluate).
package guardrails
