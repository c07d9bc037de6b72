// typage (npm age-encryption, the age authors' TypeScript age) as a small
// command line, so that shell tests can hand files between it and coyeu.
//
//   node typage.mjs keygen [--pq]                       identity file on stdout
//   node typage.mjs encrypt [-a] (-r RECIPIENT | -R FILE)... -o OUT IN
//   node typage.mjs decrypt (-i IDENTITY-FILE)... -o OUT IN   (armor detected)
//   node typage.mjs stanzas IN        the header's stanza types, one a line
//
// The package comes from COYEU_NODE_DIR (make deps: BUILD/node).  Exit 0 on
// success; 1 with "typage: <typage's error>" on stderr when typage refuses;
// 2 for a usage error.
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { webcrypto } from "node:crypto";
import { pathToFileURL } from "node:url";

// Node 18 (Debian 12's) keeps WebCrypto off the global object; typage uses it.
if (!globalThis.crypto) globalThis.crypto = webcrypto;

function usage(msg) {
  process.stderr.write(`typage: ${msg}\n`);
  process.exit(2);
}

async function loadTypage() {
  const dir = process.env.COYEU_NODE_DIR;
  if (!dir) usage("COYEU_NODE_DIR (where make deps installed age-encryption) is not set");
  const path = createRequire(`${dir}/`).resolve("age-encryption");
  return import(pathToFileURL(path).href);
}

// Options: -x VALUE pairs and flags; the one remaining argument is the input.
function parseArgs(argv, withValue, flags) {
  const opts = { input: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (withValue.includes(a)) {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      (opts[a] ??= []).push(argv[++i]);
    } else if (flags.includes(a)) {
      opts[a] = true;
    } else if (a.startsWith("-")) {
      usage(`unknown option ${a}`);
    } else if (opts.input === null) {
      opts.input = a;
    } else {
      usage(`one input file only (${a})`);
    }
  }
  return opts;
}

// Key lines of an identity or recipients file (age's format: # comments).
function keyLines(file) {
  return readFileSync(file, "utf8").split("\n").map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
}

function needInputOutput(opts) {
  if (opts.input === null) usage("no input file");
  if (!opts["-o"]) usage("no output file (-o)");
}

async function keygen(age, argv) {
  const opts = parseArgs(argv, [], ["--pq"]);
  const id = opts["--pq"] ? await age.generateHybridIdentity()
    : await age.generateX25519Identity();
  const pub = await age.identityToRecipient(id);
  process.stdout.write(`# created by typage\n# public key: ${pub}\n${id}\n`);
}

async function encrypt(age, argv) {
  const opts = parseArgs(argv, ["-r", "-R", "-o"], ["-a"]);
  needInputOutput(opts);
  const e = new age.Encrypter();
  const recipients = [...(opts["-r"] ?? []), ...(opts["-R"] ?? []).flatMap(keyLines)];
  if (recipients.length === 0) usage("no recipient (-r, -R)");
  for (const r of recipients) e.addRecipient(r);
  const sealed = await e.encrypt(new Uint8Array(readFileSync(opts.input)));
  writeFileSync(opts["-o"][0], opts["-a"] ? age.armor.encode(sealed) : sealed);
}

// The file as bytes, de-armored when it is armored (as age -d does).
function readSealed(age, file) {
  const data = readFileSync(file);
  const begin = "-----BEGIN AGE ENCRYPTED FILE-----";
  if (data.subarray(0, begin.length).toString("latin1") === begin) {
    return age.armor.decode(data.toString("latin1"));
  }
  return new Uint8Array(data);
}

async function decrypt(age, argv) {
  const opts = parseArgs(argv, ["-i", "-o"], []);
  needInputOutput(opts);
  const d = new age.Decrypter();
  const ids = (opts["-i"] ?? []).flatMap(keyLines);
  if (ids.length === 0) usage("no identity (-i)");
  for (const id of ids) d.addIdentity(id);
  const plain = await d.decrypt(readSealed(age, opts.input));
  writeFileSync(opts["-o"][0], plain);
}

// What a reader of the header sees without a key: the stanzas' first
// arguments, in order (typage's parser is not exported; age's header is
// line-based up to the "---" MAC line).
function stanzas(argv) {
  const opts = parseArgs(argv, [], []);
  if (opts.input === null) usage("no input file");
  const text = readFileSync(opts.input).toString("latin1");
  for (const line of text.split("\n")) {
    if (line.startsWith("--- ")) return;
    if (line.startsWith("-> ")) process.stdout.write(`${line.split(" ")[1]}\n`);
  }
}

const [cmd, ...rest] = process.argv.slice(2);
const commands = { keygen, encrypt, decrypt };
try {
  if (cmd === "stanzas") stanzas(rest);
  else if (commands[cmd]) await commands[cmd](await loadTypage(), rest);
  else usage("usage: typage.mjs keygen|encrypt|decrypt|stanzas …");
} catch (e) {
  process.stderr.write(`typage: ${e && e.message ? e.message : e}\n`);
  process.exit(1);
}
