/**
 * Recognising bots by user agent. Bots are TAGGED (`is_bot` in bronze `ga_events`), never dropped: the raw lake
 * keeps every hit, and analysts (or silver) decide what to exclude. A wrong tag costs a filter; a dropped hit is
 * gone for good.
 *
 * What counts as a bot here: search and SEO crawlers, AI crawlers, social link previewers, uptime monitors,
 * audit tools (Lighthouse, PageSpeed) and headless / automated browsers — anything announcing itself with a
 * URL, as crawlers do. What does NOT: generic HTTP clients (curl, python-requests, axios, node-fetch, Go,
 * okhttp, Java). The Measurement Protocol is server-to-server by design, so those are the normal senders of
 * legitimate GA4 hits. A missing user agent is not evidence either (server-side senders often omit it).
 * Maintained like the `isbot` / crawler-user-agents lists: one pattern per family, add new ones as they show up.
 */

const BOT_PATTERNS: readonly RegExp[] = [
  // Self-descriptions: "Googlebot/2.1", "bingbot", "AhrefsBot", "Sogou web spider", "ia_archiver".
  // `cubot` is a phone brand, not a bot.
  /(?<!cu)bot\b/i,
  /crawl|spider|scraper|slurp|archiver|indexer/i,
  // Crawlers put a contact URL in their user agent; browsers never do.
  /https?:\/\//i,
  // Google fetchers without "bot" in their name (Googlebot itself executes JavaScript, so it does send GA hits).
  /googleother|google-inspectiontool|google-read-aloud|google-extended|google-site-verification|mediapartners-google|feedfetcher-google|apis-google|duplexweb-google|google favicon|google web preview/i,
  // Other search engines' fetchers without "bot" (their crawlers are caught above). Not their browsers or apps:
  // DuckDuckGo, Yandex, Naver, Seznam and Qwant all ship browsers whose users are people.
  /bingpreview|yandex(?:images|metrika|webmaster|favicons|video)|qwantify|yeti\//i,
  // SEO tools.
  /screaming frog|sitebulb|dataforseo|serpstat|barkrowler|siteaudit|seokicks|linkdex/i,
  // AI fetchers acting for a user or a model.
  /chatgpt-user|oai-searchbot|claude-web|claude-user|anthropic-ai|perplexity-user|ccbot|bytespider|cohere-ai|diffbot|imagesift|meta-external(?:agent|fetcher)/i,
  // Social link previewers (not the apps' in-app browsers, which people use).
  /facebookexternalhit|facebookcatalog|slack-imgproxy|skypeuripreview|embedly|quora link preview|vkshare|iframely/i,
  // Uptime monitors and performance audits.
  /pingdom|uptimerobot|statuscake|site24x7|datadogsynthetics|newrelicpinger|gtmetrix|checkly|uptime-kuma|better ?uptime|lighthouse|page ?speed|ptst\//i,
  // Headless and automated browsers.
  /headless|phantomjs|slimerjs|selenium|webdriver|puppeteer|playwright|cypress/i,
];

/**
 * True when the user agent names a crawler, monitor, audit tool or headless browser.
 *
 * @example isBotUserAgent("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)") // true
 * @example isBotUserAgent("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36") // true
 * @example isBotUserAgent("python-requests/2.31.0") // false — a normal Measurement Protocol sender
 * @example isBotUserAgent(null) // false
 */
export function isBotUserAgent(ua: string | null): boolean {
  if (!ua) return false;
  return BOT_PATTERNS.some((pattern) => pattern.test(ua));
}
