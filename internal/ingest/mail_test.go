package ingest

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime/quotedprintable"
	"strings"
	"testing"
	"unicode/utf8"

	"confide/internal/ingest/charset"
)

func encWord(t *testing.T, cs charset.Charset, s string) string {
	return "=?" + string(cs) + "?B?" + base64.StdEncoding.EncodeToString([]byte(enc(t, cs, s))) + "?="
}

func qp(s string) string {
	var b bytes.Buffer
	w := quotedprintable.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.String()
}

// message is an email with a cp1251 quoted-printable body and, in order,
// an HTML alternative, a zip attachment with a KOI8-R file name and a
// forwarded message.
func message(t *testing.T, subject string) string {
	inner := makeZip(t, member{name: "список.txt", body: []byte("Сидоров, Кузнецова"), utf8: true})
	// Only one header every message has: the part's type says what it is.
	fwd := "Subject: fwd\r\nX-Mailer: Bat\r\n\r\nпересланное письмо\r\n"
	return "From: " + encWord(t, charset.KOI8R, "Иван Петров") + " <ivan@example.org>\r\n" +
		"To: editor@example.org\r\n" +
		"Subject: " + encWord(t, charset.Windows1251, subject) + "\r\n" +
		"Date: Sun, 12 Mar 1989 10:00:00 +0300\r\n" +
		"Message-ID: <1@example.org>\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n" +
		"preamble\r\n--outer\r\n" +
		"Content-Type: multipart/alternative; boundary=\"alt\"\r\n\r\n" +
		"--alt\r\nContent-Type: text/plain; charset=windows-1251\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
		qp(enc(t, charset.Windows1251, letter+"\nС уважением, Иван.")) + "\r\n" +
		"--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>" + letter + "</p>\r\n--alt--\r\n" +
		"--outer\r\nContent-Type: application/zip; name=\"" + encWord(t, charset.KOI8R, "архив.zip") + "\"\r\n" +
		"Content-Disposition: attachment; filename=\"" + encWord(t, charset.KOI8R, "архив.zip") + "\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\n" + wrap(base64.StdEncoding.EncodeToString(inner)) + "\r\n" +
		"--outer\r\nContent-Type: message/rfc822\r\n\r\n" + fwd + "\r\n--outer--\r\n"
}

func wrap(s string) string {
	var b strings.Builder
	for len(s) > 76 {
		b.WriteString(s[:76] + "\r\n")
		s = s[76:]
	}
	b.WriteString(s)
	return b.String()
}

func TestEmail(t *testing.T) {
	e := newTest(t, Options{NoOCR: true})
	docs, err := extract(t, e, "letter.eml", []byte(message(t, "Протокол заседания")))
	if err != nil {
		t.Fatal(err)
	}
	got := byPath(docs)
	m := got["letter.eml"]
	if m == nil || m.Err != nil || m.Type != TypeEmail {
		t.Fatalf("paths %v, root %+v", keys(got), m)
	}
	if m.Fields["from"] != "Иван Петров <ivan@example.org>" || m.Fields["subject"] != "Протокол заседания" || m.Fields["date"] != "Sun, 12 Mar 1989 10:00:00 +0300" || m.Fields["to"] != "editor@example.org" {
		t.Errorf("fields %v", m.Fields)
	}
	if allText(m) != letter+"\nС уважением, Иван." || m.Pages[0].Lang != "ru" {
		t.Errorf("body %q", allText(m))
	}
	if d := got["letter.eml/архив.zip"]; d == nil || d.Type != TypeZip {
		t.Fatalf("attachment: paths %v", keys(got))
	}
	if d := got["letter.eml/архив.zip/список.txt"]; d == nil || allText(d) != "Сидоров, Кузнецова" {
		t.Errorf("zip inside the attachment: paths %v", keys(got))
	}
	if d := got["letter.eml/part-4.eml"]; d == nil || d.Type != TypeEmail || d.Fields["subject"] != "fwd" || allText(d) != "пересланное письмо" {
		t.Errorf("forwarded message: paths %v", keys(got))
	}
	if len(docs) != 4 {
		t.Errorf("%d documents: %v (the HTML alternative is not a document of its own)", len(docs), keys(got))
	}
}

func TestMbox(t *testing.T) {
	e := newTest(t, Options{NoOCR: true})
	var box strings.Builder
	for i := 1; i <= 3; i++ {
		fmt.Fprintf(&box, "From ivan@example.org Sun Mar 12 10:00:0%d 1989\n", i)
		fmt.Fprintf(&box, "From: ivan@example.org\nSubject: %s\n\nписьмо %d\n>From the archive, quoted\n\n", encWord(t, charset.KOI8R, fmt.Sprintf("тема %d", i)), i)
	}
	docs, err := extract(t, e, "inbox.mbox", []byte(box.String()))
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 4 || docs[0].Type != TypeMbox {
		t.Fatalf("%d documents", len(docs))
	}
	for i := 1; i <= 3; i++ {
		d := docs[i]
		if d.Path != fmt.Sprintf("inbox.mbox/%d.eml", i) || d.Fields["subject"] != fmt.Sprintf("тема %d", i) {
			t.Errorf("message %d: %s %v", i, d.Path, d.Fields)
		}
		if want := fmt.Sprintf("письмо %d\nFrom the archive, quoted", i); allText(d) != want {
			t.Errorf("message %d body %q, want %q", i, allText(d), want)
		}
	}
}

func TestEmailFailures(t *testing.T) {
	e := newTest(t, Options{NoOCR: true})
	// Cut inside the attachment: the message and its text survive, the
	// break is a document of its own.
	full := message(t, "обрыв")
	docs, err := extract(t, e, "cut.eml", []byte(full[:strings.Index(full, "Content-Type: message/rfc822")-200]))
	if err != nil {
		t.Fatal(err)
	}
	if docs[0].Err != nil || !strings.Contains(allText(docs[0]), "Ленинграда") {
		t.Errorf("the message before the cut: %+v", docs[0])
	}
	broken := 0
	for _, d := range docs {
		if d.Err != nil {
			broken++
		}
	}
	if broken == 0 {
		t.Errorf("a cut message read as whole: %v", keys(byPath(docs)))
	}
	docs, _ = extract(t, e, "headers.eml", []byte("From: x@example.org\r\nSubject: "+strings.Repeat("a", 2<<20)+"\r\n\r\nbody"))
	wantFailure(t, docs[0], KindTooLarge, "headers are larger than 1 MiB")
}

func TestDecodeHeader(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{encWord(t, charset.KOI8R, "Привет") + " " + encWord(t, charset.KOI8R, "мир"), "Приветмир"},
		{"=?windows-1251?Q?=CF=F0=E8=E2=E5=F2?= world", "Привет world"},
		{"=?utf-8?B?0J/RgNC40LLQtdGC?=", "Привет"},
		{enc(t, charset.Windows1251, "Протокол заседания комиссии"), "Протокол заседания комиссии"}, // raw 8-bit
		{"=?x-unknown?B?AAAA?=", "=?x-unknown?B?AAAA?="},
	} {
		if got := DecodeHeader(c.in); got != c.want {
			t.Errorf("DecodeHeader(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// FuzzDecodeHeader checks that any header decodes to valid UTF-8, and
// that Russian text encoded as a KOI8-R or cp1251 word decodes back.
func FuzzDecodeHeader(f *testing.F) {
	f.Add("=?koi8-r?B?8NLJ18XU?=", "Привет")
	f.Add("\xcf\xf0\xe8", "тема письма")
	f.Fuzz(func(t *testing.T, raw, s string) {
		if got := DecodeHeader(raw); !utf8.ValidString(got) {
			t.Fatalf("DecodeHeader(%q) = %q", raw, got)
		}
		s = strings.Map(func(r rune) rune {
			if r >= 'а' && r <= 'я' || r >= 'А' && r <= 'Я' {
				return r
			}
			return -1
		}, s)
		if s == "" {
			return
		}
		for _, cs := range []charset.Charset{charset.KOI8R, charset.Windows1251} {
			e, _ := cs.Encoding().NewEncoder().Bytes([]byte(s))
			w := "=?" + string(cs) + "?B?" + base64.StdEncoding.EncodeToString(e) + "?="
			if got := DecodeHeader(w); got != s {
				t.Fatalf("%s word %q decoded to %q, want %q", cs, w, got, s)
			}
		}
	})
}

// FuzzEmail checks that any message gives documents, never a crash: the
// root first, every text valid UTF-8, every failure with a reason, and
// the body of a well-formed message kept.
func FuzzEmail(f *testing.F) {
	f.Add([]byte("From: a@b\r\nSubject: x\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b--\r\n"), "текст")
	f.Add([]byte("From: a@b\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!"), "x")
	e, err := New(Options{TmpDir: f.TempDir(), NoOCR: true, Limits: Limits{MaxDepth: 3, MaxMembers: 20}})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw []byte, body string) {
		check := func(msg []byte) []*Document {
			docs, _ := extract(t, e, "m.eml", msg)
			if len(docs) == 0 || docs[0].Depth != 0 {
				t.Fatalf("no root document for %q", msg)
			}
			for _, d := range docs {
				if d.Err != nil && d.Err.Reason == "" {
					t.Fatalf("failure without a reason: %+v", d.Err)
				}
				for _, p := range d.Pages {
					if !utf8.ValidString(p.Text) {
						t.Fatalf("%s: invalid UTF-8 %q", d.Path, p.Text)
					}
				}
			}
			return docs
		}
		check(raw)
		if !utf8.ValidString(body) || strings.ContainsAny(body, "\r\n") || strings.TrimSpace(body) != body || body == "" {
			return
		}
		docs := check([]byte("From: a@example.org\r\nSubject: s\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" + base64.StdEncoding.EncodeToString([]byte(body)) + "\r\n"))
		if docs[0].Err != nil || allText(docs[0]) != body {
			t.Fatalf("body %q read as %q (%v)", body, allText(docs[0]), docs[0].Err)
		}
	})
}

// FuzzMbox checks the mailbox splitter: messages whose lines may start
// with "From " (quoted as ">From ") come back one per separator, exactly.
func FuzzMbox(f *testing.F) {
	f.Add("hello\nFrom the start\n", ">quoted\nline")
	f.Add("", "x")
	f.Fuzz(func(t *testing.T, a, b string) {
		var box strings.Builder
		var want []string
		for _, m := range []string{a, b} {
			var lines []string
			for _, l := range strings.Split(m, "\n") {
				if strings.HasPrefix(strings.TrimLeft(l, ">"), "From ") {
					l = ">" + l // as an mboxrd writer quotes
				}
				lines = append(lines, l)
			}
			box.WriteString("From sender Sun Mar 12 10:00:00 1989\n" + strings.Join(lines, "\n") + "\n")
			want = append(want, m+"\n")
		}
		mr := newMboxReader(strings.NewReader(box.String()))
		for i := range want {
			r, ok, err := mr.next()
			if err != nil || !ok {
				t.Fatalf("message %d: %v %v", i, ok, err)
			}
			got, err := io.ReadAll(r)
			if err != nil || string(got) != want[i] {
				t.Fatalf("message %d = %q, want %q", i, got, want[i])
			}
		}
		if _, ok, _ := mr.next(); ok {
			t.Fatal("a third message")
		}
	})
}

func TestEmailBodyDamageKeepsTheText(t *testing.T) {
	e := newTest(t, Options{NoOCR: true})
	good := base64.StdEncoding.EncodeToString([]byte(letter))
	for name, msg := range map[string]string{
		"bad base64":      "From: a@example.org\r\nSubject: s\r\nContent-Transfer-Encoding: base64\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + good + "\r\n====QUJD\r\n",
		"unknown charset": "From: a@example.org\r\nSubject: s\r\nContent-Type: text/plain; charset=x-made-up\r\n\r\n" + enc(t, charset.KOI8R, letter) + "\r\n",
	} {
		d := one(t, e, "m.eml", []byte(msg))
		if allText(d) != letter {
			t.Errorf("%s: text %q", name, allText(d))
		}
		if name == "bad base64" && len(d.Warnings) != 1 {
			t.Errorf("%s: warnings %q", name, d.Warnings)
		}
	}
}

func TestMboxSniffing(t *testing.T) {
	for _, c := range []struct {
		head string
		want string
	}{
		{"From ivan@example.org Sun Mar 12 10:00:00 1989\nSubject: x\n", TypeMbox},
		{"From here on the report covers 1989.\nIt is long.\n", TypeText},
	} {
		if got := sniff([]byte(c.head), "file"); got != c.want {
			t.Errorf("sniff(%q) = %s, want %s", c.head, got, c.want)
		}
	}
}

func TestEmailAttachmentBeforeText(t *testing.T) {
	e := newTest(t, Options{NoOCR: true})
	msg := "From: a@example.org\r\nSubject: s\r\nContent-Type: multipart/mixed; boundary=o\r\n\r\n" +
		"--o\r\nContent-Type: text/plain; name=notes.txt\r\n\r\nзаметки\r\n" +
		"--o\r\nContent-Type: multipart/alternative; boundary=a\r\n\r\n" +
		"--a\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nтекст письма\r\n" +
		"--a\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>текст письма</p>\r\n--a--\r\n--o--\r\n"
	docs, err := extract(t, e, "m.eml", []byte(msg))
	if err != nil {
		t.Fatal(err)
	}
	got := byPath(docs)
	if d := got["m.eml/notes.txt"]; d == nil || allText(d) != "заметки" {
		t.Errorf("named text part: %v", keys(got))
	}
	// The message is yielded before its first attachment, so text that
	// comes after one is a child: kept, in both of its forms.
	texts := 0
	for _, d := range docs[1:] {
		if strings.Contains(allText(d), "текст письма") {
			texts++
		}
	}
	if texts != 2 || docs[0].Err != nil {
		t.Errorf("%d children hold the text; paths %v", texts, keys(got))
	}
}
