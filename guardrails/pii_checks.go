package guardrails

// Validity rules of the identifiers the pii detector reports. A pattern
// alone flags every long number in a log; these checks (checksums, issuer
// ranges, numbering-plan rules) are what keep order ids, timestamps and
// version strings out.

// luhnValid is the Luhn (mod 10) check of payment cards and Canadian SINs.
func luhnValid(digits string) bool {
	sum, double := 0, false
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return len(digits) > 0 && sum%10 == 0
}

// cardIssuerValid checks a card number's issuer prefix (IIN) and length
// against the major networks: a Luhn-valid number that no network issues is
// an id, not a card.
func cardIssuerValid(d string) bool {
	n := len(d)
	p2 := atoiPrefix(d, 2)
	p3 := atoiPrefix(d, 3)
	p4 := atoiPrefix(d, 4)
	p6 := atoiPrefix(d, 6)
	switch {
	case d[0] == '4': // Visa
		return n == 13 || n == 16 || n == 19
	case (p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720): // Mastercard
		return n == 16
	case p2 == 34 || p2 == 37: // American Express
		return n == 15
	case p4 == 6011 || p2 == 65 || (p3 >= 644 && p3 <= 649) || (p6 >= 622126 && p6 <= 622925): // Discover
		return n >= 16 && n <= 19
	case p4 >= 3528 && p4 <= 3589: // JCB
		return n >= 16 && n <= 19
	case (p3 >= 300 && p3 <= 305) || p2 == 36 || p2 == 38 || p2 == 39 || p4 == 3095: // Diners Club
		return n >= 14 && n <= 19
	case p2 == 62: // UnionPay
		return n >= 16 && n <= 19
	case p4 == 5018 || p4 == 5020 || p4 == 5038 || p4 == 5893 || p4 == 6304 || p4 == 6759 || p4 == 6761 || p4 == 6762 || p4 == 6763: // Maestro
		return n >= 12 && n <= 19
	}
	return false
}

func atoiPrefix(d string, n int) int {
	if len(d) < n {
		return -1
	}
	v := 0
	for i := 0; i < n; i++ {
		v = v*10 + int(d[i]-'0')
	}
	return v
}

// ssnValid applies the US Social Security Administration's rules: area not
// 000, 666 or 900–999; group not 00; serial not 0000; and not one of the
// numbers published as examples (078-05-1120 from a wallet insert,
// 219-09-9999 from an SSA pamphlet, 123-45-6789 from advertisements).
func ssnValid(area, group, serial string) bool {
	a := atoiPrefix(area, 3)
	switch {
	case a == 0 || a == 666 || a >= 900:
		return false
	case group == "00" || serial == "0000":
		return false
	}
	switch area + group + serial {
	case "078051120", "219099999", "123456789":
		return false
	}
	return true
}

// sinValid checks a Canadian Social Insurance Number: Luhn, and a first digit
// that is issued (0 and 8 are not).
func sinValid(d string) bool {
	return len(d) == 9 && d[0] != '0' && d[0] != '8' && luhnValid(d)
}

// ninoValid checks a UK National Insurance number's prefix letters: neither
// D, F, I, Q, U nor V; no O second; and not a prefix that is never issued.
func ninoValid(a, b byte) bool {
	bad := func(c byte) bool { return c == 'D' || c == 'F' || c == 'I' || c == 'Q' || c == 'U' || c == 'V' }
	if bad(a) || bad(b) || b == 'O' {
		return false
	}
	switch string([]byte{a, b}) {
	case "BG", "GB", "NK", "KN", "TN", "NT", "ZZ":
		return false
	}
	return true
}

// ibanLength is the IBAN length of each country that issues them (SWIFT
// IBAN registry), 0 for a two-letter prefix that is not an IBAN country.
func ibanLength(country string) int {
	switch country {
	case "NO":
		return 15
	case "BE":
		return 16
	case "DK", "FI", "FK", "FO", "GL", "NL", "SD":
		return 18
	case "MK", "SI":
		return 19
	case "AT", "BA", "EE", "KZ", "LT", "LU", "MN", "XK":
		return 20
	case "CH", "HR", "LI", "LV":
		return 21
	case "BG", "BH", "CR", "DE", "GB", "GE", "IE", "ME", "RS", "VA":
		return 22
	case "AE", "GI", "IL", "IQ", "OM", "SO", "TL":
		return 23
	case "AD", "CZ", "ES", "MD", "PK", "RO", "SA", "SE", "SK", "TN", "VG":
		return 24
	case "LY", "PT", "ST":
		return 25
	case "IS", "TR":
		return 26
	case "BI", "DJ", "FR", "GR", "IT", "MC", "MR", "SM":
		return 27
	case "AL", "AZ", "BY", "CY", "DO", "GT", "HU", "LB", "NI", "PL", "SV":
		return 28
	case "BR", "EG", "PS", "QA", "UA":
		return 29
	case "JO", "KW", "MU", "YE":
		return 30
	case "MT", "SC":
		return 31
	case "LC":
		return 32
	case "RU":
		return 33
	}
	return 0
}

// ibanValid is the ISO 13616 check: move the first four characters to the
// end, turn letters into numbers (A=10 … Z=35), and the result mod 97 is 1.
func ibanValid(compact string) bool {
	if len(compact) < 5 {
		return false
	}
	rearranged := compact[4:] + compact[:4]
	rem := 0
	for i := 0; i < len(rearranged); i++ {
		c := rearranged[i]
		switch {
		case isDigit(c):
			rem = (rem*10 + int(c-'0')) % 97
		case isUpper(c):
			rem = (rem*100 + int(c-'A') + 10) % 97
		default:
			return false
		}
	}
	return rem == 1
}

// phoneNSNLengths gives, for an ITU country calling code, the range of
// lengths of its national significant numbers (the digits after the code).
// Codes not listed fall back to the E.164 bounds (a total of 8 to 15
// digits); this table tightens the common ones.
func phoneNSNLengths(code string) (lo, hi int, ok bool) {
	switch code {
	case "43":
		return 4, 13, true
	case "53":
		return 6, 8, true
	case "39", "352":
		return 6, 11, true
	case "358":
		return 6, 12, true
	case "49":
		return 6, 13, true
	case "372":
		return 7, 8, true
	case "353", "354", "359":
		return 7, 9, true
	case "46", "60", "95":
		return 7, 10, true
	case "62":
		return 7, 12, true
	case "45", "47", "65", "216", "370", "371", "386", "852", "974":
		return 8, 8, true
	case "32", "36", "51", "66", "213", "385", "886", "971", "972":
		return 8, 9, true
	case "20", "57", "63", "64", "82", "234":
		return 8, 10, true
	case "27", "31", "33", "34", "40", "41", "48", "56", "61", "93", "94", "212", "218", "254", "255", "256", "351", "380", "420", "421", "966":
		return 9, 9, true
	case "44", "81", "84", "92":
		return 9, 10, true
	case "1", "7", "30", "52", "58", "90", "91", "98":
		return 10, 10, true
	case "54", "55", "86":
		return 10, 11, true
	}
	return 0, 0, false
}

// phoneE164Valid checks digits written after a '+' (or 00): a known country
// code and a national number of a length that country uses.
func phoneE164Valid(digits string) bool {
	if len(digits) < 8 || len(digits) > 15 || digits[0] == '0' {
		return false
	}
	for n := 1; n <= 3; n++ {
		lo, hi, ok := phoneNSNLengths(digits[:n])
		if !ok {
			continue
		}
		nsn := digits[n:]
		if len(nsn) < lo || len(nsn) > hi {
			return false
		}
		if n == 1 && digits[0] == '1' {
			return nanpValid(nsn)
		}
		return true
	}
	// An assigned code the table does not list: E.164 bounds only. Codes of
	// zone 8 and 9 unassigned blocks are rare enough to accept.
	return len(digits) >= 9
}

// nanpValid checks a ten-digit North American number: area code and
// exchange start with 2–9, and neither is a service code (N11).
func nanpValid(d string) bool {
	if len(d) != 10 || d[0] < '2' || d[3] < '2' {
		return false
	}
	if d[1] == '1' && d[2] == '1' || d[4] == '1' && d[5] == '1' {
		return false
	}
	return d[1] != '9' // no area code has 9 as its middle digit
}
