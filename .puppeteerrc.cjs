// puppeteer (through @mermaid-js/mermaid-cli, used for `meridian emit mermaid --svg`) must not download a
// browser on `npm ci`: the machine's Chromium is used instead (Debian's chromium, see .ci/run).
module.exports = { skipDownload: true };
