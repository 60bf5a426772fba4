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

// ibanLengths is the IBAN length of each country that issues them (SWIFT
// IBAN registry). A two-letter prefix outside it is not an IBAN.
var ibanLengths = map[string]int{
	"AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
	"BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27,
	"DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27,
	"GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22,
	"IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32,
	"LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19,
	"MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23, "PK": 24,
	"PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24, "SC": 31,
	"SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28, "TL": 23,
	"TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
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

// phoneCountryCodes maps each ITU country calling code to the range of
// lengths of its national significant numbers (the digits after the code).
// Codes not listed but assigned fall back to the E.164 bounds (a total of 8
// to 15 digits); this table tightens the common ones.
var phoneCountryCodes = map[string][2]int{
	"1": {10, 10}, "7": {10, 10}, "20": {8, 10}, "27": {9, 9}, "30": {10, 10}, "31": {9, 9},
	"32": {8, 9}, "33": {9, 9}, "34": {9, 9}, "36": {8, 9}, "39": {6, 11}, "40": {9, 9},
	"41": {9, 9}, "43": {4, 13}, "44": {9, 10}, "45": {8, 8}, "46": {7, 10}, "47": {8, 8},
	"48": {9, 9}, "49": {6, 13}, "51": {8, 9}, "52": {10, 10}, "53": {6, 8}, "54": {10, 11},
	"55": {10, 11}, "56": {9, 9}, "57": {8, 10}, "58": {10, 10}, "60": {7, 10}, "61": {9, 9},
	"62": {7, 12}, "63": {8, 10}, "64": {8, 10}, "65": {8, 8}, "66": {8, 9}, "81": {9, 10},
	"82": {8, 10}, "84": {9, 10}, "86": {10, 11}, "90": {10, 10}, "91": {10, 10}, "92": {9, 10},
	"93": {9, 9}, "94": {9, 9}, "95": {7, 10}, "98": {10, 10}, "212": {9, 9}, "213": {8, 9},
	"216": {8, 8}, "218": {9, 9}, "234": {8, 10}, "254": {9, 9}, "255": {9, 9}, "256": {9, 9},
	"351": {9, 9}, "352": {6, 11}, "353": {7, 9}, "354": {7, 9}, "358": {6, 12}, "359": {7, 9},
	"370": {8, 8}, "371": {8, 8}, "372": {7, 8}, "380": {9, 9}, "385": {8, 9}, "386": {8, 8},
	"420": {9, 9}, "421": {9, 9}, "852": {8, 8}, "886": {8, 9}, "966": {9, 9}, "971": {8, 9},
	"972": {8, 9}, "974": {8, 8},
}

// phoneE164Valid checks digits written after a '+' (or 00): a known country
// code and a national number of a length that country uses.
func phoneE164Valid(digits string) bool {
	if len(digits) < 8 || len(digits) > 15 || digits[0] == '0' {
		return false
	}
	for n := 1; n <= 3; n++ {
		lengths, ok := phoneCountryCodes[digits[:n]]
		if !ok {
			continue
		}
		nsn := digits[n:]
		if len(nsn) < lengths[0] || len(nsn) > lengths[1] {
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
