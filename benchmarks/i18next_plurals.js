// Prints, as JSON, what i18next (as apps use it) shows for KEY at counts 0, 1, 2, 5, 21 and 1000000 with the
// resources of FILE in LANGUAGE, no fallback language (a missing plural form shows the key). NODE_PATH must find
// i18next; with v3 after KEY, i18next 23 (the last that reads JSON v3's key_plural and key_0 keys) under the name
// i18next-v3, read with compatibilityJSON: 'v3':
//   npm install --prefix /tmp/i18n i18next i18next-v3@npm:i18next@23; export NODE_PATH=/tmp/i18n/node_modules
//   node benchmarks/i18next_plurals.js es.json es files [v3]
const [file, language, key, version] = process.argv.slice(2);
const i18next = require(version === "v3" ? "i18next-v3" : "i18next");
const resources = JSON.parse(require("fs").readFileSync(file, "utf8"));
i18next.init({ lng: language, resources: { [language]: { translation: resources } }, fallbackLng: false,
               ...(version === "v3" && { compatibilityJSON: "v3" }) })
  .then(() => console.log(JSON.stringify([0, 1, 2, 5, 21, 1000000].map((count) => i18next.t(key, { count })))));
