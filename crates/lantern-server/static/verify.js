// Lantern's proof-bundle verifier for the browser: checks, with WebCrypto alone and without
// trusting the server that sent it, that one event is in the public log signed by a given key.
// The steps and their order are those of `docs/proof-bundle.md` (and of the Rust
// `ProofBundle::verify`, which `lantern verify --proof` runs).
//
// On a page with a `#verify-in-browser` button it binds the button: the bundle is fetched from
// `data-bundle-url`, checked against `data-log-key`, and the outcome written to
// `#verify-result`.

const COMMITMENT_TAG = new TextEncoder().encode("lantern/v1/event-commitment\0");
const MAX_RECORDS = 9007199254740991;
const ACTIONS = [
  "collect", "process", "use", "disclose", "out_of_purpose_use", "link", "export", "correct",
  "delete", "consent", "withdraw_consent",
];
const BUNDLE_KEYS = ["v", "event", "salt", "entry", "leaf_index", "inclusion_proof", "checkpoint"];
const ENTRY_KEYS = [
  "v", "day", "agency", "file", "action", "purpose", "legal_basis", "out_of_purpose", "records",
  "withheld", "ground", "commitment",
];
const EVENT_KEYS = [
  "v", "id", "occurred_at", "agency", "file", "subject", "action", "purpose", "categories",
  "legal_basis", "legal_citation", "recipient", "reference", "actor", "records", "confidential",
];

/** A failed check: its message says which, in the words of the Rust verifier. */
class ProofError extends Error {}

function fail(message) {
  throw new ProofError(message);
}

const utf8 = new TextEncoder();

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}

function equalBytes(a, b) {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

function fromBase64(text, what) {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) {
    fail(`${what} is not standard base64`);
  }
  const binary = atob(text);
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

function fromHex(text, what) {
  if (!/^([0-9a-f]{2})*$/.test(text)) fail(`${what} is not lowercase hex`);
  return Uint8Array.from(text.match(/../g) ?? [], (h) => parseInt(h, 16));
}

function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Parses canonical JSON (docs/log-format.md §1.1): exactly `keys` in order, no whitespace,
 * strings escaped as JCS, integers plain. JSON.stringify writes strings and safe integers
 * exactly by those rules, so re-encoding must give back the same text.
 */
function canonical(text, keys, what) {
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    fail(`${what} is not JSON`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    fail(`${what} is not a JSON object`);
  }
  const found = Object.keys(value);
  if (found.length !== keys.length || found.some((k, i) => k !== keys[i])) {
    fail(`${what} does not have the keys of its format in order`);
  }
  if (value.v !== 1) fail(`${what} is not version 1`);
  if (JSON.stringify(value) !== text) fail(`${what} is not canonical JSON`);
  return value;
}

function isCount(n) {
  return Number.isSafeInteger(n) && n >= 1 && n <= MAX_RECORDS;
}

function isDay(text) {
  if (typeof text !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const [y, m, d] = text.split("-").map(Number);
  const date = new Date(Date.UTC(2000, m - 1, d));
  date.setUTCFullYear(y);
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

const CODES = {
  agency: /^[A-Z][A-Z0-9-]{1,31}$/,
  file: /^[a-z0-9][a-z0-9-]{1,63}$/,
  purpose: /^\d{3}$/,
  legal_basis: /^[A-Z][A-Z0-9-]*$/,
  ground: /^GIDA-18-[1-9]$/,
};

function checkCodes(value, what) {
  for (const field of ["agency", "file", "purpose", "legal_basis"]) {
    if (typeof value[field] !== "string" || !CODES[field].test(value[field])) {
      fail(`${what}: ${field} is malformed`);
    }
  }
  if (!ACTIONS.includes(value.action)) fail(`${what}: action is not one of the log's actions`);
  if (!isCount(value.records)) fail(`${what}: records is not a count from 1 to 2^53 − 1`);
}

/** The log entry (docs/log-format.md §2). */
function parseEntry(text) {
  const entry = canonical(text, ENTRY_KEYS, "the entry");
  if (!isDay(entry.day)) fail("the entry: day is not a date");
  checkCodes(entry, "the entry");
  if (typeof entry.out_of_purpose !== "boolean" || typeof entry.withheld !== "boolean") {
    fail("the entry: out_of_purpose and withheld are booleans");
  }
  if (entry.withheld !== (entry.ground !== null)) {
    fail("the entry: withheld is true exactly when ground is set");
  }
  if (entry.ground !== null && !CODES.ground.test(entry.ground)) fail("the entry: ground is malformed");
  if (entry.action === "out_of_purpose_use" && !entry.out_of_purpose) {
    fail("the entry: an out_of_purpose_use is always out of purpose");
  }
  if (typeof entry.commitment !== "string" || !/^[0-9a-f]{64}$/.test(entry.commitment)) {
    fail("the entry: commitment is not 64 hex digits");
  }
  return entry;
}

/** The canonical event (docs/log-format.md §3). */
function parseEvent(text) {
  const event = canonical(text, EVENT_KEYS, "the event");
  checkCodes(event, "the event");
  if (typeof event.id !== "string" || !/^[0-9a-f-]{36}$/.test(event.id)) fail("the event: id is malformed");
  if (
    typeof event.occurred_at !== "string" ||
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d*[1-9])?Z$/.test(event.occurred_at) ||
    !isDay(event.occurred_at.slice(0, 10))
  ) {
    fail("the event: occurred_at is not an RFC 3339 UTC time");
  }
  if (typeof event.subject !== "string" || !/^[0-9a-f]{64}$/.test(event.subject)) {
    fail("the event: subject is not a pseudonym");
  }
  if (!Array.isArray(event.categories) || event.categories.some((c) => !/^C\d{3}$/.test(c))) {
    fail("the event: categories are malformed");
  }
  for (const field of ["legal_citation", "recipient", "reference", "actor"]) {
    if (event[field] !== null && typeof event[field] !== "string") fail(`the event: ${field} is malformed`);
  }
  const c = event.confidential;
  if (c !== null) {
    const keys = c && typeof c === "object" ? Object.keys(c) : [];
    if (keys.join() !== "ground,until" || !CODES.ground.test(c.ground) || !isDay(c.until)) {
      fail("the event: confidential is malformed");
    }
  }
  return event;
}

/** The first entry field that does not say what the event says (as the Rust verifier). */
function firstMismatch(entry, event) {
  const ground = event.confidential === null ? null : event.confidential.ground;
  const pairs = [
    ["day", entry.day === event.occurred_at.slice(0, 10)],
    ["agency", entry.agency === event.agency],
    ["file", entry.file === event.file],
    ["action", entry.action === event.action],
    ["purpose", entry.purpose === event.purpose],
    ["legal_basis", entry.legal_basis === event.legal_basis],
    ["records", entry.records === event.records],
    ["ground", entry.ground === ground],
  ];
  const found = pairs.find(([, same]) => !same);
  return found ? found[0] : null;
}

/** A C2SP signed-note verifier key `name+keyhash+base64(0x01 ‖ Ed25519 public key)`. */
async function parseVerifierKey(text) {
  // The name holds no "+"; the base64 key may.
  const match = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/=]+)$/.exec(text.trim());
  if (!match) fail("the verifier key is malformed");
  const [, name, keyHash, encoded] = match;
  const key = fromBase64(encoded, "the verifier key");
  if (key.length !== 33 || key[0] !== 0x01) fail("the verifier key is not an Ed25519 key");
  const id = (await sha256(concat(utf8.encode(name), utf8.encode("\n"), key))).slice(0, 4);
  if (toHex(id) !== keyHash) fail("the verifier key's hash does not match its name and key");
  const publicKey = await crypto.subtle.importKey("raw", key.slice(1), { name: "Ed25519" }, false, [
    "verify",
  ]);
  return { name, id, publicKey };
}

/** Checks the signed checkpoint and returns its origin, size and root. */
async function verifyCheckpoint(note, key) {
  const split = note.lastIndexOf("\n\n");
  if (split < 0 || !note.endsWith("\n")) fail("the checkpoint does not verify: malformed note");
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split("\n");
  let signed = false;
  for (const line of lines) {
    const match = /^\u2014 (\S+) ([A-Za-z0-9+/=]+)$/.exec(line);
    if (!match) fail("the checkpoint does not verify: malformed signature line");
    const blob = fromBase64(match[2], "a signature");
    if (match[1] !== key.name || blob.length < 4 || !equalBytes(blob.slice(0, 4), key.id)) continue;
    if (blob.length !== 68) fail("the checkpoint does not verify: bad signature");
    const ok = await crypto.subtle.verify({ name: "Ed25519" }, key.publicKey, blob.slice(4), utf8.encode(text));
    if (!ok) fail("the checkpoint does not verify: bad signature");
    signed = true;
  }
  if (!signed) fail("the checkpoint does not verify: it is not signed by the log's key");
  const body = text.slice(0, -1).split("\n");
  if (body.length < 3 || !/^(0|[1-9]\d*)$/.test(body[1])) fail("the checkpoint does not verify: malformed checkpoint");
  if (body[0] !== key.name) fail("the checkpoint does not verify: it names another log");
  const root = fromBase64(body[2], "the checkpoint root");
  if (root.length !== 32) fail("the checkpoint does not verify: malformed root");
  return { origin: body[0], size: BigInt(body[1]), root };
}

async function nodeHash(left, right) {
  return sha256(concat(Uint8Array.of(1), left, right));
}

/** RFC 9162 §2.1.3.2: is `leaf` at `index` of the tree of `size` leaves with `root`? */
async function verifyInclusion(leaf, index, size, proof, root) {
  if (index >= size) fail("the entry is not proven to be in the log: index beyond the tree");
  let fn = index;
  let sn = size - 1n;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0n) fail("the entry is not proven to be in the log: the proof is too long");
    if ((fn & 1n) === 1n || fn === sn) {
      r = await nodeHash(p, r);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) fail("the entry is not proven to be in the log: the proof is too short");
  if (!equalBytes(r, root)) fail("the entry is not proven to be in the log: the root differs");
}

/**
 * Checks a proof bundle (the parsed JSON object) against the log's verifier key. Resolves to
 * what it proved, or rejects with an Error saying which check failed.
 */
export async function verifyBundle(bundle, verifierKey) {
  if (bundle === null || typeof bundle !== "object" || Array.isArray(bundle)) {
    fail("malformed proof bundle: not an object");
  }
  const keys = Object.keys(bundle);
  if (keys.length !== BUNDLE_KEYS.length || BUNDLE_KEYS.some((k) => !keys.includes(k))) {
    fail("malformed proof bundle: it must have exactly the keys " + BUNDLE_KEYS.join(", "));
  }
  if (bundle.v !== 1) fail("malformed proof bundle: not version 1");
  for (const field of ["event", "salt", "entry", "checkpoint"]) {
    if (typeof bundle[field] !== "string") fail(`malformed proof bundle: ${field} is not a string`);
  }
  if (!/^[0-9a-f]{64}$/.test(bundle.salt)) fail("malformed proof bundle: salt is not 64 hex digits");
  if (!Number.isSafeInteger(bundle.leaf_index) || bundle.leaf_index < 0) {
    fail("malformed proof bundle: leaf_index is not an index");
  }
  if (!Array.isArray(bundle.inclusion_proof)) fail("malformed proof bundle: inclusion_proof is not a list");
  const proof = bundle.inclusion_proof.map((h) => {
    const bytes = fromBase64(String(h), "inclusion_proof");
    if (bytes.length !== 32) fail("malformed proof bundle: inclusion_proof holds a hash that is not 32 bytes");
    return bytes;
  });

  const key = await parseVerifierKey(verifierKey);
  // 1. The checkpoint is the log's.
  const checkpoint = await verifyCheckpoint(bundle.checkpoint, key);
  // 2. The event is a canonical event, and 3. the entry a log entry.
  const event = parseEvent(bundle.event);
  const entry = parseEntry(bundle.entry);
  // 4. The event and salt open the entry's commitment.
  const commitment = await sha256(concat(COMMITMENT_TAG, fromHex(bundle.salt, "salt"), utf8.encode(bundle.event)));
  if (toHex(commitment) !== entry.commitment) fail("the event and salt do not match the entry's commitment");
  // 5. The public metadata is the event's.
  const field = firstMismatch(entry, event);
  if (field !== null) fail(`the entry's ${field} does not match the event`);
  // 6. The entry is in the checkpointed tree.
  const leaf = await sha256(concat(Uint8Array.of(0), utf8.encode(bundle.entry)));
  await verifyInclusion(leaf, BigInt(bundle.leaf_index), checkpoint.size, proof, checkpoint.root);
  return {
    ok: true,
    origin: checkpoint.origin,
    treeSize: Number(checkpoint.size),
    index: bundle.leaf_index,
    eventId: event.id,
  };
}

/** Binds the page's verify button, if there is one. */
function bind() {
  const button = document.getElementById("verify-in-browser");
  const result = document.getElementById("verify-result");
  if (!button || !result) return;
  button.addEventListener("click", async () => {
    button.disabled = true;
    result.className = "";
    result.textContent = button.dataset.msgWorking;
    try {
      const response = await fetch(button.dataset.bundleUrl, { credentials: "same-origin" });
      if (!response.ok) fail(`the proof could not be fetched (HTTP ${response.status})`);
      const outcome = await verifyBundle(await response.json(), button.dataset.logKey);
      result.className = "verify-ok";
      result.textContent = `${button.dataset.msgOk} (${outcome.origin}, ${outcome.index} / ${outcome.treeSize})`;
    } catch (error) {
      result.className = "verify-failed";
      result.textContent = `${button.dataset.msgFailed} ${error.message}`;
    } finally {
      button.disabled = false;
    }
  });
}

bind();
