package guardrails

import "testing"

func TestPIIDetector(t *testing.T) {
	runDetectorTable(t, DetectorPII, nil, []detectorCase{
		// e-mail
		{"Contact jane.doe@example.org for details", piiEmail},
		{"cc: a.b-c+tag@sub.domain.co.uk;", piiEmail},
		{`{"email":"JOHN_SMITH99@Mail.Example.COM"}`, piiEmail},
		{"clone git@github.com:org/repo.git", ""},
		{"see icon@2x.png and logo@3x.webp", ""},
		{"ssh admin@localhost", ""},
		{"go get golang.org/x/tools@v0.21.0", ""},
		{"npm i @types/node @scope/pkg@1.2.3", ""},
		{"@app.route('/users') decorators", ""},
		{"ftp://anonymous@ftp.example.com/pub", ""},
		// phones
		{"Call +1 415 555 2671 today", piiPhone},
		{"UK office: +44 20 7946 0958", piiPhone},
		{"Berlin +49 30 12345678", piiPhone},
		{"Paris +33 1 42 68 53 00", piiPhone},
		{"Mumbai +91 98765 43210", piiPhone},
		{"Phone: (415) 555-2671", piiPhone},
		{"call 415-555-2671 or 415.555.2671", piiPhone},
		{"toll free 1-800-555-0199", piiPhone},
		{"London 020 7946 0958", piiPhone},
		{"+44 (0)20 7946 0958", piiPhone},
		{"0044 20 7946 0958", piiPhone},
		{"+1 (212) 555-0100", piiPhone},
		{"+1 123 456 7890", ""},
		{"call me at 4155552671", piiPhone},
		{"order 4155552671 shipped", ""},
		{"ssn 536221947", piiSSN},
		{"id 536221947", ""},
		{"123-456-7890", ""},
		{"released 2024-01-15 at 12:30:45", ""},
		{"ISBN 978-3-16-148410-0", ""},
		{"pi = 3.14159265358979", ""},
		{"ts=1700000000000 took 120 ms", ""},
		{"answer: 5+3 = 8", ""},
		// cards
		{"card 4111 1111 1111 1111 exp 12/29", piiCard},
		{"5500-0000-0000-0004", piiCard},
		{"amex 378282246310005", piiCard},
		{"Amex: 3782 822463 10005", piiCard},
		{"discover 6011111111111117", piiCard},
		{"jcb 3530111333300000", piiCard},
		{"4012888888881881 cvv 123", piiCard},
		{"card 4111 1111 1111 1112", ""},
		{"id 1234567812345670", ""},
		{"1234 5678 9012 3456", ""},
		{"uuid 123e4567-e89b-12d3-a456-426614174000", ""},
		// IBAN
		{"IBAN DE89 3704 0044 0532 0130 00", piiIBAN},
		{"pay to GB82WEST12345698765432.", piiIBAN},
		{"FR1420041010050500013M02606", piiIBAN},
		{"NL91ABNA0417164300", piiIBAN},
		{"IBAN DE89 3704 0044 0532 0130 01", ""},
		{"XX89370400440532013000", ""},
		{"iban de89370400440532013000", piiIBAN},
		{"iban De89370400440532013000", ""},
		{"Request id US12ABCDEF0123456789", ""},
		// national ids
		{"SSN 536-22-1947", piiSSN},
		{"ssn: 536 22 1947", piiSSN},
		{"000-12-3456", ""},
		{"666-12-3456", ""},
		{"900-12-3456", ""},
		{"123-45-6789", ""},
		{"NI number JG 10 37 86 A", piiNINO},
		{"nino AB123456C", piiNINO},
		{"QQ123456C", ""},
		{"SIN 592 451 959", piiSIN},
		{"SIN 592 451 958", ""},
		// IP addresses
		{"client 192.168.1.20 connected", piiIP},
		{"dns 8.8.8.8", piiIP},
		{"from 2001:db8::8a2e:370:7334 port 443", piiIP},
		{"fe80::1ff:fe23:4567:890a%eth0", piiIP},
		{"listen on 127.0.0.1:8080", ""},
		{"netmask 255.255.255.0", ""},
		{"bind 0.0.0.0", ""},
		{"version 1.2.3 and v1.2.3.4", ""},
		{"Windows 10.0.19041.1", ""},
		{"999.1.1.1", ""},
		{"std::vector<int> v; a[1::2]; ::1", ""},
		{"mac 00:1a:2b:3c:4d:5e", ""},
	})
}

func TestPIIEntities(t *testing.T) {
	l := NewLocalProvider()
	text := "mail jane@example.org from 192.168.1.20"
	got := scanWith(t, l, DetectorPII, map[string]any{"entities": []any{"email"}}, text)
	if k := kindsOf(got); len(k) != 1 || k[0] != piiEmail {
		t.Fatalf("entities [email]: got %v", k)
	}
	got = scanWith(t, l, DetectorPII, map[string]any{"entities": []any{"ip_address"}}, text)
	if k := kindsOf(got); len(k) != 1 || k[0] != piiIP {
		t.Fatalf("entities [ip_address]: got %v", k)
	}
	key := "ghp_" + randString(fakeRand(1), base62, 36)
	got = scanWith(t, l, DetectorPII, map[string]any{"entities": []any{"pii", "secrets"}}, "token "+key)
	if k := kindsOf(got); len(k) != 1 || k[0] != piiSecretKind {
		t.Fatalf("entities [pii secrets]: got %v", k)
	}
	p := NewPolicy(true, "p", []string{"pii"}, map[string]any{"pii": map[string]any{"entities": []any{"email", "person"}}})
	issues := Validate(p, l)
	if len(issues) != 1 || issues[0].Field != "additional_config.pii.entities[1]" {
		t.Fatalf("unknown entity: issues %v", issues)
	}
	res, _ := l.Evaluate(t.Context(), StageInput, p, []Document{{Parts: []Part{{Text: "x"}}}})
	if len(res[0].NotEvaluated) != 1 || res[0].NotEvaluated[0] != "pii:person" {
		t.Fatalf("unknown entity not reported as not evaluated: %v", res[0].NotEvaluated)
	}
}

func TestPIIMasks(t *testing.T) {
	l := NewLocalProvider()
	for text, want := range map[string]string{
		"jane.doe@example.org":        "j***@example.org",
		"4111 1111 1111 1111":         "**** **** **** 1111",
		"192.168.1.20":                "192.168.*.*",
		"DE89 3704 0044 0532 0130 00": "DE…3000",
		"+44 20 7946 0958":            "+** ** **** 0958",
	} {
		got := scanWith(t, l, DetectorPII, nil, text)
		if len(got) != 1 || got[0].Masked != want {
			t.Errorf("mask of %q: got %+v, want %q", text, got, want)
		}
	}
}
