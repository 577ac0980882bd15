// Command c2sp-verify checks a transparency log served per C2SP tlog-tiles, with checkpoints
// per C2SP tlog-checkpoint signed as C2SP signed notes, using only Go's own implementations of
// those formats: golang.org/x/mod/sumdb/note (signed notes, Ed25519) and
// golang.org/x/mod/sumdb/tlog (RFC 6962 hashing, tile authentication, proof checking).
//
// It shares no code with the log it checks. Given the log's base URL and its verifier key
// (from a source trusted independently of the server), it
//
//  1. fetches /log/checkpoint and opens it as a signed note with the key; the note's text must
//     be a checkpoint (origin, size, root) whose origin is the key's name;
//  2. reads every leaf hash of that tree through tlog.TileHashReader, which authenticates each
//     hash tile it reads against the checkpoint's root (hash tiles at /log/tile/<L>/<N>);
//  3. fetches every entry bundle (/log/tile/entries/<N>) and checks that each entry's
//     tlog.RecordHash is the authenticated leaf hash at its index;
//  4. fetches inclusion proofs for a sample of leaves and consistency proofs from a sample of
//     earlier sizes from the server's API and checks them with tlog.CheckRecord and
//     tlog.CheckTree against the signed root (earlier roots come from authenticated tiles);
//  5. checks that a proof with one bit flipped is refused, so that a pass means something.
//
// Usage:
//
//	c2sp-verify SERVER_URL VERIFIER_KEY
//
// It prints what it checked on stdout and exits 0, or prints "c2sp-verify: FAIL: <reason>" on
// stderr and exits 1.
package main

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// tileHeight is fixed at 8 by C2SP tlog-tiles: a full tile holds 256 hashes or entries.
const tileHeight = 8

const fullWidth = 1 << tileHeight

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: c2sp-verify SERVER_URL VERIFIER_KEY")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintf(os.Stderr, "c2sp-verify: FAIL: %v\n", err)
		os.Exit(1)
	}
}

func run(server, verifierKey string) error {
	verifier, err := note.NewVerifier(strings.TrimSpace(verifierKey))
	if err != nil {
		return fmt.Errorf("the verifier key is not a signed-note verifier key: %v", err)
	}
	log := &logClient{base: strings.TrimRight(server, "/"), http: &http.Client{Timeout: time.Minute}}

	checkpoint, err := fetchCheckpoint(log, verifier)
	if err != nil {
		return err
	}
	fmt.Printf("checkpoint: origin %s, size %d, root %s: signed by %s+%08x\n",
		checkpoint.origin, checkpoint.size, checkpoint.root, verifier.Name(), verifier.KeyHash())
	tree := tlog.Tree{N: checkpoint.size, Hash: checkpoint.root}
	if tree.N == 0 {
		fmt.Println("the tree is empty: nothing more to check")
		return nil
	}

	tiles := &tileReader{log: log, saved: map[tlog.Tile][]byte{}}
	hashes := tlog.TileHashReader(tree, tiles)
	root, err := tlog.TreeHash(tree.N, hashes)
	if err != nil {
		return fmt.Errorf("computing the root from the hash tiles: %v", err)
	}
	if root != tree.Hash {
		return fmt.Errorf("the hash tiles give the root %s, the checkpoint %s", root, tree.Hash)
	}

	samples := sampleIndexes(tree.N)
	leaves, bundles, err := checkEntries(log, hashes, tree.N, samples)
	if err != nil {
		return err
	}
	fmt.Printf("entries: %d entries in %d bundles hash to the leaf hashes of %d authenticated hash tiles\n",
		tree.N, bundles, tiles.fetched)

	for _, index := range samples {
		if err := checkInclusion(log, hashes, tree, index, leaves[index]); err != nil {
			return err
		}
	}
	fmt.Printf("inclusion: proofs for leaves %s verified with tlog.CheckRecord\n", list(samples))

	sizes := sampleSizes(tree.N)
	for _, size := range sizes {
		if err := checkConsistency(log, hashes, tree, size); err != nil {
			return err
		}
	}
	fmt.Printf("consistency: proofs from sizes %s verified with tlog.CheckTree\n", list(sizes))
	fmt.Printf("OK: %s at size %d verified independently\n", checkpoint.origin, checkpoint.size)
	return nil
}

// checkpoint is the body of a C2SP checkpoint; extension lines are not used here.
type checkpoint struct {
	origin string
	size   int64
	root   tlog.Hash
}

// fetchCheckpoint fetches /log/checkpoint and verifies it as a signed note by verifier.
func fetchCheckpoint(log *logClient, verifier note.Verifier) (checkpoint, error) {
	signed, err := log.get("/log/checkpoint")
	if err != nil {
		return checkpoint{}, err
	}
	opened, err := note.Open(signed, note.VerifierList(verifier))
	if err != nil {
		return checkpoint{}, fmt.Errorf("the checkpoint does not verify as a note signed by %s: %v", verifier.Name(), err)
	}
	parsed, err := parseCheckpoint(opened.Text)
	if err != nil {
		return checkpoint{}, err
	}
	if parsed.origin != verifier.Name() {
		return checkpoint{}, fmt.Errorf("the checkpoint's origin is %q, but the key is named %q", parsed.origin, verifier.Name())
	}
	return parsed, nil
}

// parseCheckpoint reads a checkpoint's text per C2SP tlog-checkpoint: the origin, the tree
// size in decimal (no leading zeros), the root hash in standard padded base64, each on its own
// line ending in a newline, then optional non-empty extension lines.
func parseCheckpoint(text string) (checkpoint, error) {
	malformed := func(why string) (checkpoint, error) {
		return checkpoint{}, fmt.Errorf("the checkpoint's text is malformed: %s", why)
	}
	if !strings.HasSuffix(text, "\n") {
		return malformed("it does not end in a newline")
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) < 3 {
		return malformed("it has fewer than three lines")
	}
	for _, line := range lines {
		if line == "" {
			return malformed("it has an empty line")
		}
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != lines[1] {
		return malformed(fmt.Sprintf("the size %q is not a decimal number without leading zeros", lines[1]))
	}
	root, err := decodeHash(lines[2])
	if err != nil {
		return malformed(fmt.Sprintf("the root %q: %v", lines[2], err))
	}
	return checkpoint{origin: lines[0], size: size, root: root}, nil
}

// decodeHash reads a 32-byte hash in standard padded base64, accepting only its canonical
// spelling.
func decodeHash(text string) (tlog.Hash, error) {
	raw, err := base64.StdEncoding.DecodeString(text)
	if err != nil || len(raw) != tlog.HashSize || base64.StdEncoding.EncodeToString(raw) != text {
		return tlog.Hash{}, errors.New("not 32 bytes in standard base64")
	}
	var hash tlog.Hash
	copy(hash[:], raw)
	return hash, nil
}

// checkEntries fetches every entry bundle of a tree of size n and checks each entry's record
// hash against the authenticated leaf hash. It returns the leaf hashes at the sampled indexes
// and the number of bundles.
func checkEntries(log *logClient, hashes tlog.HashReader, n int64, samples []int64) (map[int64]tlog.Hash, int64, error) {
	wanted := map[int64]bool{}
	for _, index := range samples {
		wanted[index] = true
	}
	leaves := map[int64]tlog.Hash{}
	var bundles int64
	for first := int64(0); first < n; first += fullWidth {
		width := n - first
		if width > fullWidth {
			width = fullWidth
		}
		number := first / fullWidth
		path := entriesPath(number, int(width))
		data, err := log.get(path)
		if err != nil {
			return nil, 0, err
		}
		entries, err := splitBundle(data, int(width))
		if err != nil {
			return nil, 0, fmt.Errorf("the entry bundle %s: %v", path, err)
		}
		indexes := make([]int64, width)
		for i := range indexes {
			indexes[i] = tlog.StoredHashIndex(0, first+int64(i))
		}
		leafHashes, err := hashes.ReadHashes(indexes)
		if err != nil {
			return nil, 0, fmt.Errorf("reading the leaf hashes of entries %d-%d from the hash tiles: %v", first, first+width-1, err)
		}
		for i, entry := range entries {
			index := first + int64(i)
			if got := tlog.RecordHash(entry); got != leafHashes[i] {
				return nil, 0, fmt.Errorf("entry %d (in %s) hashes to %s, but the authenticated leaf hash is %s", index, path, got, leafHashes[i])
			}
			if wanted[index] {
				leaves[index] = leafHashes[i]
			}
		}
		bundles++
	}
	return leaves, bundles, nil
}

// splitBundle splits a C2SP entry bundle: entries, each prefixed by its length as a big-endian
// uint16. It must hold exactly width entries and nothing after them.
func splitBundle(data []byte, width int) ([][]byte, error) {
	var entries [][]byte
	for len(data) > 0 {
		if len(data) < 2 {
			return nil, errors.New("a length prefix is cut short")
		}
		length := int(binary.BigEndian.Uint16(data))
		data = data[2:]
		if len(data) < length {
			return nil, fmt.Errorf("entry %d is cut short", len(entries))
		}
		entries = append(entries, data[:length])
		data = data[length:]
	}
	if len(entries) != width {
		return nil, fmt.Errorf("it holds %d entries, not %d", len(entries), width)
	}
	return entries, nil
}

type inclusionAnswer struct {
	Index    int64    `json:"index"`
	TreeSize int64    `json:"tree_size"`
	Proof    []string `json:"proof"`
}

type consistencyAnswer struct {
	From  int64    `json:"from"`
	To    int64    `json:"to"`
	Proof []string `json:"proof"`
}

// checkInclusion checks the server's inclusion proof of leaf index in tree, and that the
// proof with a bit flipped is refused.
func checkInclusion(log *logClient, hashes tlog.HashReader, tree tlog.Tree, index int64, leaf tlog.Hash) error {
	path := fmt.Sprintf("/api/v1/log/proof/inclusion?index=%d&tree_size=%d", index, tree.N)
	var answer inclusionAnswer
	if err := log.getJSON(path, &answer); err != nil {
		return err
	}
	if answer.Index != index || answer.TreeSize != tree.N {
		return fmt.Errorf("%s answered the proof of leaf %d in a tree of %d", path, answer.Index, answer.TreeSize)
	}
	proof, err := decodeProof(answer.Proof)
	if err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	if err := tlog.CheckRecord(proof, tree.N, tree.Hash, index, leaf); err != nil {
		return fmt.Errorf("the inclusion proof of leaf %d in the tree of %d does not verify: %v", index, tree.N, err)
	}
	ours, err := tlog.ProveRecord(tree.N, index, hashes)
	if err != nil {
		return fmt.Errorf("computing the inclusion proof of leaf %d from the tiles: %v", index, err)
	}
	if !sameHashes(ours, proof) {
		return fmt.Errorf("the server's inclusion proof of leaf %d differs from the one the tiles give", index)
	}
	if len(proof) > 0 {
		tampered := append(tlog.RecordProof(nil), proof...)
		tampered[0][0] ^= 1
		if tlog.CheckRecord(tampered, tree.N, tree.Hash, index, leaf) == nil {
			return fmt.Errorf("a tampered inclusion proof of leaf %d was accepted", index)
		}
	}
	return nil
}

// checkConsistency checks the server's consistency proof from the tree of size old to tree;
// the old root comes from the authenticated tiles.
func checkConsistency(log *logClient, hashes tlog.HashReader, tree tlog.Tree, old int64) error {
	oldRoot, err := tlog.TreeHash(old, hashes)
	if err != nil {
		return fmt.Errorf("computing the root of the tree of %d from the tiles: %v", old, err)
	}
	path := fmt.Sprintf("/api/v1/log/proof/consistency?from=%d&to=%d", old, tree.N)
	var answer consistencyAnswer
	if err := log.getJSON(path, &answer); err != nil {
		return err
	}
	if answer.From != old || answer.To != tree.N {
		return fmt.Errorf("%s answered a proof from %d to %d", path, answer.From, answer.To)
	}
	proof, err := decodeProof(answer.Proof)
	if err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	if err := tlog.CheckTree(proof, tree.N, tree.Hash, old, oldRoot); err != nil {
		return fmt.Errorf("the consistency proof from %d to %d does not verify: %v", old, tree.N, err)
	}
	if len(proof) > 0 {
		tampered := append(tlog.TreeProof(nil), proof...)
		tampered[len(tampered)-1][31] ^= 0x80
		if tlog.CheckTree(tampered, tree.N, tree.Hash, old, oldRoot) == nil {
			return fmt.Errorf("a tampered consistency proof from %d was accepted", old)
		}
	}
	return nil
}

func decodeProof(texts []string) ([]tlog.Hash, error) {
	proof := make([]tlog.Hash, len(texts))
	for i, text := range texts {
		hash, err := decodeHash(text)
		if err != nil {
			return nil, fmt.Errorf("proof hash %d: %v", i, err)
		}
		proof[i] = hash
	}
	return proof, nil
}

func sameHashes(a, b []tlog.Hash) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// sampleIndexes picks leaves to prove: the first and last, those around the first tile
// boundary, and some in between.
func sampleIndexes(n int64) []int64 {
	return distinctBelow(n, []int64{0, n - 1, n / 2, n / 3, 2 * n / 3, fullWidth - 1, fullWidth, fullWidth + 1})
}

// sampleSizes picks earlier tree sizes to prove consistency from (0 < size <= n).
func sampleSizes(n int64) []int64 {
	sizes := distinctBelow(n+1, []int64{1, 2, 3, n / 2, n - 1, n, fullWidth, fullWidth + 1})
	for len(sizes) > 0 && sizes[0] == 0 {
		sizes = sizes[1:]
	}
	return sizes
}

func distinctBelow(limit int64, candidates []int64) []int64 {
	seen := map[int64]bool{}
	var out []int64
	for _, c := range candidates {
		if c >= 0 && c < limit && !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func list(values []int64) string {
	texts := make([]string, len(values))
	for i, v := range values {
		texts[i] = strconv.FormatInt(v, 10)
	}
	return strings.Join(texts, ", ")
}

// tileReader serves tlog's tile requests from the log's C2SP tile paths. Tiles that tlog has
// authenticated (SaveTiles) above level 0, and partial ones, are kept: they are the ones every
// read needs to authenticate against the root.
type tileReader struct {
	log     *logClient
	saved   map[tlog.Tile][]byte
	fetched int
}

func (r *tileReader) Height() int { return tileHeight }

func (r *tileReader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	data := make([][]byte, len(tiles))
	for i, tile := range tiles {
		if saved, ok := r.saved[tile]; ok {
			data[i] = saved
			continue
		}
		if tile.H != tileHeight {
			return nil, fmt.Errorf("asked for a tile of height %d", tile.H)
		}
		path := tilePath(tile)
		body, err := r.log.get(path)
		if err != nil {
			return nil, err
		}
		if len(body) != tile.W*tlog.HashSize {
			return nil, fmt.Errorf("the hash tile %s is %d bytes, not %d", path, len(body), tile.W*tlog.HashSize)
		}
		data[i] = body
		r.fetched++
	}
	return data, nil
}

func (r *tileReader) SaveTiles(tiles []tlog.Tile, data [][]byte) {
	for i, tile := range tiles {
		if tile.L > 0 || tile.W < fullWidth {
			r.saved[tile] = data[i]
		}
	}
}

// tilePath is the C2SP path of a hash tile: /log/tile/<L>/<N>[.p/<W>].
func tilePath(tile tlog.Tile) string {
	return "/log/tile/" + strconv.Itoa(tile.L) + "/" + indexPath(tile.N) + partialSuffix(tile.W)
}

// entriesPath is the C2SP path of an entry bundle: /log/tile/entries/<N>[.p/<W>].
func entriesPath(n int64, width int) string {
	return "/log/tile/entries/" + indexPath(n) + partialSuffix(width)
}

func partialSuffix(width int) string {
	if width == fullWidth {
		return ""
	}
	return ".p/" + strconv.Itoa(width)
}

// indexPath writes a tile index as C2SP does: zero-padded groups of three digits, all but the
// last prefixed with "x" (1234067 is x001/x234/067).
func indexPath(n int64) string {
	path := fmt.Sprintf("%03d", n%1000)
	for n >= 1000 {
		n /= 1000
		path = fmt.Sprintf("x%03d/", n%1000) + path
	}
	return path
}

// logClient fetches from the log's server.
type logClient struct {
	base string
	http *http.Client
}

// get fetches path (starting with "/") and insists on a 200 answer.
func (c *logClient) get(path string) ([]byte, error) {
	response, err := c.http.Get(c.base + path)
	if err != nil {
		return nil, fmt.Errorf("fetching %s: %v", path, err)
	}
	defer response.Body.Close()
	body, err := io.ReadAll(io.LimitReader(response.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %v", path, err)
	}
	if response.StatusCode != http.StatusOK {
		excerpt := string(bytes.TrimSpace(body))
		if len(excerpt) > 200 {
			excerpt = excerpt[:200] + "..."
		}
		return nil, fmt.Errorf("fetching %s: the server answered %s: %s", path, response.Status, excerpt)
	}
	return body, nil
}

func (c *logClient) getJSON(path string, into interface{}) error {
	body, err := c.get(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(body, into); err != nil {
		return fmt.Errorf("%s did not answer the expected JSON: %v", path, err)
	}
	return nil
}
