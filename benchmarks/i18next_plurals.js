// Prints, as JSON, what i18next (as apps use it) shows for KEY at counts 0, 1, 2, 5, 21 and 1000000 with the
// resources of FILE in LANGUAGE, no fallback language (a missing plural form shows the key). NODE_PATH must find
// i18next:
//   npm install --prefix /tmp/i18n i18next; export NODE_PATH=/tmp/i18n/node_modules
//   node benchmarks/i18next_plurals.js es.json es files
const i18next = require("i18next");
const [file, language, key] = process.argv.slice(2);
const resources = JSON.parse(require("fs").readFileSync(file, "utf8"));
i18next.init({ lng: language, resources: { [language]: { translation: resources } }, fallbackLng: false })
  .then(() => console.log(JSON.stringify([0, 1, 2, 5, 21, 1000000].map((count) => i18next.t(key, { count })))));
