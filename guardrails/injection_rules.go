package guardrails

import (
	"regexp"
	"strings"
)

// injectionRule recognises one family of injection phrasing. Its anchors
// (matched in any case) locate candidates in one pass; its expression then
// reads the lowered text from the anchor on, at most window bytes.
type injectionRule struct {
	kind    string
	anchors []string
	re      *regexp.Regexp // nil: the anchor alone is the match
	window  int
	// negatable rules are skipped right after a negation ("do not ignore
	// previous instructions" asks the opposite).
	negatable bool
	// lineStart rules only match at the start of a line.
	lineStart bool
	// check looks at the lowered text before the match (at most 100 bytes)
	// and from the match on (at most 100 bytes).
	check func(before, rest string) bool
}

var (
	reOverride        = regexp.MustCompile(`^(?:ignore|disregard|forget|override|bypass|skip|discard|abandon|neglect)\s+(?:(?:all|any|the|your|my|of|every|these|those|its)\s+){0,4}?(?:previous|prior|preceding|above|earlier|former|initial|original|system|existing|old|foregoing|given)\s+(?:[a-z]+\s+){0,2}?(?:instructions?|directions|prompts?|directives?|rules|guidelines|commands?|context|messages?|guidance|constraints|restrictions|programming|orders|polic(?:y|ies)|guardrails)\b`)
	reForgetAll       = regexp.MustCompile(`^(?:ignore|disregard|forget)\s+(?:everything|all|anything)\s+(?:(?:you|i|that|was|were|have|has|been|said|told|written|stated|given|mentioned|this|to|up)\s+){0,5}?(?:above|before|previously|prior|earlier|so\s+far|until\s+now|up\s+to\s+(?:now|this\s+point))\b`)
	reDisregardAbove  = regexp.MustCompile(`^(?:ignore|disregard|forget)\s+(?:all\s+)?(?:of\s+)?(?:the\s+|this\s+)?(?:above|foregoing)(?:\s+(?:and|text|prompt|context|content|conversation)\b|\s*[.,;:!]|\s*$)`)
	reNewInstructions = regexp.MustCompile(`^your\s+(?:new|real|true|actual|updated)\s+(?:system\s+prompt|instructions?|directives?|task)\s*(?::|are\b|is\b)`)
	reFromNowOn       = regexp.MustCompile(`^from\s+now\s+on,?\s+(?:you\s+)?(?:are|will\s+(?:act|behave|respond|answer|pretend|only|ignore|obey)|must\s+(?:ignore|act|respond|answer|always|obey|comply)|have\s+no|should\s+(?:ignore|act|respond)|no\s+longer)\b`)
	reYouAreNow       = regexp.MustCompile(`^you(?:\s+are|'re)\s+now\s+(?:in\s+)?(?:dan\b|a\s+dan\b|an?\s+(?:unrestricted|unfiltered|uncensored|evil|rogue|jailbroken|unlimited|amoral)\b|(?:unrestricted|unfiltered|uncensored|jailbroken|amoral)\b|free\s+(?:from|of)\s+(?:all\s+|any\s+)?(?:rules|restrictions|guidelines|limitations)|(?:in\s+)?developer\s+mode|going\s+to\s+act\s+as)`)
	reActAs           = regexp.MustCompile(`^(?:act|behave|respond)\s+as\s+(?:if\s+you\s+(?:are|were)\s+)?(?:an?\s+)?(?:unrestricted|unfiltered|uncensored|jailbroken|evil|amoral|dan\b)`)
	rePretend         = regexp.MustCompile(`^pretend\s+(?:that\s+)?(?:you\s+)?(?:are|have|were)\s+(?:no\s+(?:restrictions|rules|limits|guidelines|filters)|not\s+bound|free\s+(?:from|of)\s+(?:all\s+|any\s+)?(?:rules|restrictions|guidelines)|an?\s+(?:unrestricted|unfiltered|uncensored|evil)|an?\s+ai\s+(?:without|with\s+no))`)
	reNotBound        = regexp.MustCompile(`^(?:no\s+longer|not)\s+bound\s+by\s+(?:any\s+|your\s+|the\s+)?(?:rules|guidelines|restrictions|policies|ethics|openai|anthropic|content\s+polic(?:y|ies)|safety)`)
	rePromptLeak      = regexp.MustCompile(`^(?:reveal|print|show|output|repeat|leak|display|dump|tell\s+me|give\s+me|write\s+out|spell\s+out)\s+(?:me\s+)?(?:your|the|all|any)\s+(?:(?:full|entire|complete|original|initial|hidden|secret|exact|previous)\s+)*(?:system\s+(?:prompt|message|instructions?)|initial\s+(?:prompt|instructions?)|hidden\s+(?:prompt|instructions?)|(?:instructions?|prompt)\s+(?:above|you\s+were\s+given))`)
	reSystemHeading   = regexp.MustCompile(`^###\s*(?:system|instruction|instructions)\s*(?:prompt\s*)?:`)
	reSystemYouAre    = regexp.MustCompile(`^system\s*:\s*you\s+(?:are|must|will)\b`)
	reHideFromUser    = regexp.MustCompile(`^(?:do\s+not|don't|never|without)\s+(?:tell(?:ing)?|mention(?:ing)?|inform(?:ing)?|reveal(?:ing)?|notify(?:ing)?|alert(?:ing)?|let(?:ting)?)\s+(?:(?:this|it|that|anything|any\s+of\s+this)\s+)?(?:to\s+)?(?:the\s+)?user\b`)
	reBeforeTool      = regexp.MustCompile(`(?s)^before\s+(?:using|calling|invoking)\s+this\s+tool.{0,160}?(?:~/|\.ssh|id_rsa|mcp\.json|\.env\b|credentials|/etc/passwd|api[_ ]?key|secret|password|private\s+key)`)
	reSetAside        = regexp.MustCompile(`^(?:ignore|disregard|forget|set\s+aside|put\s+aside|throw\s+out)\s+(?:everything\s+|all\s+|anything\s+)?(?:that\s+|what\s+)?you(?:'ve|\s+were|\s+have\s+been)\s+(?:told|instructed|given|asked|taught)`)
	reOverrideIntl    = regexp.MustCompile(`^(?:ignora|olvida)\s+(?:todas\s+)?(?:las\s+)?instrucciones\s+(?:anteriores|previas)|^(?:ignorez|ignore|oubliez|oublie)\s+(?:toutes\s+)?(?:les\s+)?instructions\s+(?:pr\x{e9}c\x{e9}dentes|precedentes|ant\x{e9}rieures)|^(?:ignoriere|ignorieren\s+sie|vergiss|vergessen\s+sie)\s+(?:alle\s+)?(?:vorherigen|bisherigen|obigen)\s+(?:anweisungen|instruktionen)|^(?:ignore|esque\x{e7}a)\s+(?:todas\s+)?(?:as\s+)?instru\x{e7}\x{f5}es\s+anteriores|^(?:ignora|dimentica)\s+(?:tutte\s+)?(?:le\s+)?istruzioni\s+precedenti`)
	reSystemTag       = regexp.MustCompile(`^<system>\s*(?:you\b|ignore\b|new\b|from\s+now\b|override\b)`)
)

// injectionRules is the phrase table of the injection_attack detector.
func injectionRules() []injectionRule {
	notNegated := func(before, _ string) bool {
		before = strings.TrimRight(before, " \t\n")
		for _, n := range []string{" not", "never", "n't", "don't", "dont"} {
			if strings.HasSuffix(before, n) {
				return false
			}
		}
		return true
	}
	exfiltrating := func(before, rest string) bool {
		if strings.HasPrefix(strings.TrimLeft(rest[min(len(rest), 6):], "_-.abcdefghijklmnopqrstuvwxyz0123456789/~"), ".pub") || strings.Contains(rest[:min(len(rest), 24)], ".pub") {
			return false // sharing a public key is the usual reason to name these files
		}
		for _, v := range []string{"send", "upload", "exfiltrate", "include", "pass", "post ", "attach", "transmit", "forward", "content of", "contents of", "leak"} {
			if strings.Contains(before, v) {
				return true
			}
		}
		return false
	}
	return []injectionRule{
		{kind: "instruction_override", anchors: []string{"ignore", "disregard", "forget", "override", "bypass", "skip", "discard", "abandon", "neglect"}, re: reOverride, window: 200, negatable: true, check: notNegated},
		{kind: "instruction_override", anchors: []string{"ignore", "disregard", "forget"}, re: reForgetAll, window: 160, negatable: true, check: notNegated},
		{kind: "instruction_override", anchors: []string{"ignore", "disregard", "forget"}, re: reDisregardAbove, window: 80, negatable: true, check: notNegated},
		{kind: "instruction_override", anchors: []string{"ignore", "disregard", "forget", "set aside", "put aside", "throw out"}, re: reSetAside, window: 120, negatable: true, check: notNegated},
		{kind: "instruction_override", anchors: []string{"ignora", "olvida", "ignorez", "ignore", "oubliez", "oublie", "ignoriere", "ignorieren", "vergiss", "vergessen", "esque\u00e7a", "dimentica"}, re: reOverrideIntl, window: 120},
		{kind: "instruction_override", anchors: []string{"your new", "your real", "your true", "your actual", "your updated"}, re: reNewInstructions, window: 80},
		{kind: "instruction_override", anchors: []string{"from now on"}, re: reFromNowOn, window: 80},
		{kind: "jailbreak", anchors: []string{"you are now", "you're now"}, re: reYouAreNow, window: 120},
		{kind: "jailbreak", anchors: []string{"act as", "behave as", "respond as"}, re: reActAs, window: 80},
		{kind: "jailbreak", anchors: []string{"pretend"}, re: rePretend, window: 100},
		{kind: "jailbreak", anchors: []string{"no longer bound", "not bound by"}, re: reNotBound, window: 80},
		{kind: "jailbreak", anchors: []string{"do anything now", "dan mode", "jailbreak mode", "jailbroken mode"}},
		{kind: "prompt_leak", anchors: []string{"reveal", "print", "show", "output", "repeat", "leak", "display", "dump", "tell me", "give me", "write out", "spell out"}, re: rePromptLeak, window: 140},
		{kind: "role_marker", anchors: []string{"<|im_start|>", "<|im_end|>", "<|system|>", "<|user|>", "<|assistant|>", "<|endoftext|>", "<|start_header_id|>", "<|eot_id|>", "<|begin_of_text|>", "[inst]", "[/inst]", "<<sys>>", "<</sys>>", "<system_prompt>", "</system_prompt>", "begin system prompt", "system override"}},
		{kind: "role_marker", anchors: []string{"###"}, re: reSystemHeading, window: 40},
		{kind: "role_marker", anchors: []string{"<system>"}, re: reSystemTag, window: 40},
		{kind: "role_marker", anchors: []string{"</tool_result>", "</tool_response>", "</function_results>", "</function_result>", "<|tool|>"}},
		{kind: "role_marker", anchors: []string{"system:", "system :"}, re: reSystemYouAre, window: 40, lineStart: true},
		{kind: "hidden_instruction", anchors: []string{"<important>", "</important>"}},
		{kind: "hidden_instruction", anchors: []string{"do not", "don't", "never", "without"}, re: reHideFromUser, window: 80},
		{kind: "hidden_instruction", anchors: []string{"before using this tool", "before calling this tool", "before invoking this tool"}, re: reBeforeTool, window: 260},
		{kind: "exfiltration", anchors: []string{"~/.ssh", ".ssh/id_", "id_rsa", "id_ed25519", ".aws/credentials", "mcp.json", "/etc/passwd", "/etc/shadow", "claude_desktop_config", ".cursor/"}, check: exfiltrating},
	}
}
