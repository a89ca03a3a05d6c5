// Exits 1 unless every message of a JSON (.arb) file parses as ICU MessageFormat (FormatJS's parser, as apps use it);
// metadata (keys starting with "@") left out. NODE_PATH must find @formatjs/icu-messageformat-parser:
//   npm install --prefix /tmp/icu @formatjs/icu-messageformat-parser; export NODE_PATH=/tmp/icu/node_modules
const { parse } = require("@formatjs/icu-messageformat-parser");
const messages = JSON.parse(require("fs").readFileSync(process.argv[2], "utf8"));
let failed = 0;
for (const [key, message] of Object.entries(messages)) {
  if (key.startsWith("@")) continue;
  try { parse(message); } catch (e) { failed++; console.error(`${key}: ${e.message}: ${message.slice(0, 100)}`); }
}
process.exit(failed ? 1 : 0);
