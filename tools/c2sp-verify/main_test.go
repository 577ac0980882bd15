package main

import (
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// The signed checkpoint and verifier key of docs/log-format.md §7 and §11, whose tree holds
// the three entries below.
const (
	documentedKey  = "lantern.example.gov.tw/log+7e397370+AZJzCPU9Z2VQPStkwQOrWqRyBqs5UCz+j5hEL9tUMQC3"
	documentedNote = "lantern.example.gov.tw/log\n3\nozw7u7pVv0qYfmc4KhHMpwx2mQN4DrpT+AXIVv+Oc10=\n\n" +
		"— lantern.example.gov.tw/log fjlzcJ/ox4eC1mn2M2mYPt9Nf186hnIBfwHdX8oZkE3l4T+d4KydSpAWEF6g1CNn3dh4MN5xhB8IX4UJBNuLnYH+lgg=\n"
)

var documentedEntries = []string{
	`{"v":1,"day":"2025-03-14","agency":"MOHW-NHIA","file":"nhi-claims","action":"collect","purpose":"031","legal_basis":"PDPA-15-1","out_of_purpose":false,"records":3,"withheld":false,"ground":null,"commitment":"7836aabaabb9929f1005b8a742877b3c95854a22ba20a99a956f12d8c18364ee"}`,
	`{"v":1,"day":"2025-03-14","agency":"MOHW-NHIA","file":"nhi-claims","action":"use","purpose":"031","legal_basis":"PDPA-16-MAIN","out_of_purpose":false,"records":1,"withheld":false,"ground":null,"commitment":"1a5b3f4b9991468cc66b31e717f639c7d25bd4861fa51d8571a9be79961e4062"}`,
	`{"v":1,"day":"2025-03-15","agency":"MOHW-NHIA","file":"nhi-claims","action":"disclose","purpose":"025","legal_basis":"PDPA-16-P1","out_of_purpose":true,"records":1,"withheld":true,"ground":"GIDA-18-2","commitment":"048dcb8fd69fa6f9bedd3fe7af6f1e747b37d9552c7df8d52554adccddcbe31b"}`,
}

func TestIndexPathsFollowC2SP(t *testing.T) {
	for n, want := range map[int64]string{0: "000", 7: "007", 999: "999", 1000: "x001/000", 1234067: "x001/x234/067"} {
		if got := indexPath(n); got != want {
			t.Errorf("indexPath(%d) = %q, want %q", n, got, want)
		}
	}
	if got := tilePath(tlog.Tile{H: 8, L: 4, N: 1234067, W: 1}); got != "/log/tile/4/x001/x234/067.p/1" {
		t.Errorf("partial tile path %q", got)
	}
	if got := tilePath(tlog.Tile{H: 8, L: 0, N: 1, W: 256}); got != "/log/tile/0/001" {
		t.Errorf("full tile path %q", got)
	}
	if got := entriesPath(1234067, 112); got != "/log/tile/entries/x001/x234/067.p/112" {
		t.Errorf("entries path %q", got)
	}
}

// The documented checkpoint verifies with Go's signed-note package, and its root is the RFC
// 6962 root of the documented entries as Go's tlog computes it.
func TestDocumentedCheckpoint(t *testing.T) {
	verifier, err := note.NewVerifier(documentedKey)
	if err != nil {
		t.Fatal(err)
	}
	opened, err := note.Open([]byte(documentedNote), note.VerifierList(verifier))
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := parseCheckpoint(opened.Text)
	if err != nil {
		t.Fatal(err)
	}
	if parsed.origin != "lantern.example.gov.tw/log" || parsed.size != 3 {
		t.Fatalf("parsed %+v", parsed)
	}
	var stored []tlog.Hash
	for i, entry := range documentedEntries {
		hashes, err := tlog.StoredHashes(int64(i), []byte(entry), tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
			out := make([]tlog.Hash, len(indexes))
			for j, x := range indexes {
				out[j] = stored[x]
			}
			return out, nil
		}))
		if err != nil {
			t.Fatal(err)
		}
		stored = append(stored, hashes...)
	}
	root, err := tlog.TreeHash(3, tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		for j, x := range indexes {
			out[j] = stored[x]
		}
		return out, nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	if root != parsed.root {
		t.Fatalf("root of the entries %s, checkpoint %s", root, parsed.root)
	}

	altered := strings.Replace(documentedNote, "\n3\n", "\n4\n", 1)
	if _, err := note.Open([]byte(altered), note.VerifierList(verifier)); err == nil {
		t.Fatal("an altered checkpoint verified")
	}
}

func TestMalformedCheckpoints(t *testing.T) {
	root := "ozw7u7pVv0qYfmc4KhHMpwx2mQN4DrpT+AXIVv+Oc10="
	for _, text := range []string{
		"origin\n3\n" + root,
		"origin\n03\n" + root + "\n",
		"origin\n-3\n" + root + "\n",
		"origin\n3\nnot base64\n",
		"origin\n3\n" + root + "\n\n",
		"origin\n3\n",
	} {
		if _, err := parseCheckpoint(text); err == nil {
			t.Errorf("accepted %q", text)
		}
	}
	if _, err := parseCheckpoint("origin\n3\n" + root + "\nextension line\n"); err != nil {
		t.Errorf("refused an extension line: %v", err)
	}
}

func TestBundles(t *testing.T) {
	bundle := []byte{0, 1, 'a', 0, 0, 0, 2, 'b', 'c'}
	entries, err := splitBundle(bundle, 3)
	if err != nil || len(entries) != 3 || string(entries[2]) != "bc" || len(entries[1]) != 0 {
		t.Fatalf("%q %v", entries, err)
	}
	for _, bad := range [][]byte{bundle[:8], append(append([]byte{}, bundle...), 0), {0}} {
		if _, err := splitBundle(bad, 3); err == nil {
			t.Errorf("accepted %v", bad)
		}
	}
	if _, err := splitBundle(bundle, 2); err == nil {
		t.Error("accepted a bundle of the wrong width")
	}
}

func TestSamples(t *testing.T) {
	if got := list(sampleIndexes(1)); got != "0" {
		t.Errorf("sampleIndexes(1) = %s", got)
	}
	if got := list(sampleSizes(1)); got != "1" {
		t.Errorf("sampleSizes(1) = %s", got)
	}
	if got := list(sampleIndexes(600)); got != "0, 200, 255, 256, 257, 300, 400, 599" {
		t.Errorf("sampleIndexes(600) = %s", got)
	}
	if got := list(sampleSizes(600)); got != "1, 2, 3, 256, 257, 300, 599, 600" {
		t.Errorf("sampleSizes(600) = %s", got)
	}
}
