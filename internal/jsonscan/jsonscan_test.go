package jsonscan

import "testing"

func TestValueEnd(t *testing.T) {
	for _, tc := range []struct {
		in    string
		start int
		want  string
	}{
		{`"a\"b]}",1`, 0, `"a\"b]}"`},
		{`{"k":[1,{"x":"}"}]},2`, 0, `{"k":[1,{"x":"}"}]}`},
		{`[1,[2,3]] `, 0, `[1,[2,3]]`},
		{`12.5e3,`, 0, `12.5e3`},
		{`true}`, 0, `true`},
		{`null`, 0, `null`},
		{`-1 ,`, 0, `-1`},
		{`{"a":1}`, 5, `1`},
		{`"k":2`, 0, `"k"`},
	} {
		if got := tc.in[tc.start:ValueEnd([]byte(tc.in), tc.start)]; got != tc.want {
			t.Errorf("ValueEnd(%q, %d) spans %q, want %q", tc.in, tc.start, got, tc.want)
		}
	}
}
