package guardrails

// topicLexicon is the built-in keyword list of common topics, so that a
// policy can name "politics" rather than spell out its words. Lists favour
// words that rarely mean anything else; short ambiguous words are left out.
// Aliases share a list.
func topicLexicon(name string) ([]string, bool) {
	switch name {
	case "finance", "financial", "banking", "investment", "investing":
		return []string{"bank account", "stock market", "stocks", "bonds", "dividend", "portfolio", "investment", "investing", "mortgage", "interest rate", "loan", "credit score", "brokerage", "hedge fund", "mutual fund", "etf", "401(k)", "retirement savings", "tax return", "inflation", "cryptocurrency", "bitcoin", "trading"}, true
	case "medical", "health", "healthcare", "medicine":
		return []string{"diagnosis", "diagnose", "symptom", "prescription", "medication", "dosage", "treatment", "therapy", "disease", "illness", "infection", "surgery", "doctor", "physician", "patient", "hospital", "clinic", "vaccine", "cancer", "diabetes", "blood pressure", "antibiotic"}, true
	case "legal", "law":
		return []string{"lawsuit", "attorney", "lawyer", "litigation", "court", "judge", "plaintiff", "defendant", "contract law", "legal advice", "liability", "statute", "indictment", "subpoena", "verdict", "settlement", "custody"}, true
	case "politics", "political", "elections":
		return []string{"election", "politician", "political", "democrat", "republican", "parliament", "congress", "senate", "senator", "president", "prime minister", "campaign", "ballot", "voting", "vote for", "left-wing", "right-wing", "liberal", "conservative", "political party", "legislation"}, true
	case "religion", "religious":
		return []string{"religion", "religious", "church", "mosque", "synagogue", "temple", "bible", "quran", "torah", "scripture", "prayer", "worship", "christian", "muslim", "jewish", "hindu", "buddhist", "atheist", "theology", "god"}, true
	case "weapons", "weapon", "firearms", "guns":
		return []string{"firearm", "handgun", "rifle", "shotgun", "pistol", "ammunition", "ammo", "gun", "guns", "assault weapon", "silencer", "suppressor", "explosive", "grenade", "bomb", "detonator", "caliber", "magazine capacity"}, true
	case "drugs", "narcotics":
		return []string{"cocaine", "heroin", "methamphetamine", "meth", "fentanyl", "marijuana", "cannabis", "mdma", "ecstasy", "lsd", "opioid", "narcotic", "drug dealer", "overdose", "getting high"}, true
	case "gambling", "betting":
		return []string{"gambling", "casino", "betting", "sportsbook", "poker", "blackjack", "roulette", "slot machine", "wager", "jackpot", "bookmaker", "odds on", "place a bet"}, true
	case "violence", "violent":
		return []string{"kill", "murder", "assault", "stab", "shooting", "massacre", "torture", "attack someone", "hurt someone", "beat up", "violent", "violence", "homicide"}, true
	case "adult", "sexual", "nsfw":
		return []string{"porn", "pornography", "nude", "nudity", "explicit sex", "sexual", "erotic", "xxx", "escort", "onlyfans"}, true
	case "travel", "airline", "airlines", "flights", "aviation":
		return []string{"flight", "airline", "airport", "boarding", "baggage", "luggage", "check-in", "itinerary", "booking", "reservation", "passenger", "departure", "arrival", "layover", "seat", "ticket", "fare", "refund", "travel", "hotel", "visa", "passport", "gate", "terminal"}, true
	case "software", "programming", "technology", "coding":
		return []string{"code", "function", "variable", "compile", "compiler", "debug", "deploy", "repository", "commit", "pull request", "api", "database", "server", "bug", "test", "library", "framework", "python", "javascript", "golang", "java", "docker", "kubernetes"}, true
	}
	return nil, false
}
