// Give the ALTCHA widget the page's own (translated) words.
// Runs after the widget module; the widget's strings are reactive.
const source = document.getElementById("altcha-strings");
if (source && globalThis.$altcha) {
  const language = document.documentElement.lang || "en";
  const strings = JSON.parse(source.textContent);
  globalThis.$altcha.i18n.set(language, {
    ...(globalThis.$altcha.i18n.get("en") || {}),
    ...strings,
  });
  for (const widget of document.querySelectorAll("altcha-widget")) {
    widget.setAttribute("language", language);
  }
}
