// Adds the browser's time zone to the "Sign in with …" links, so an account that a first
// sign-in makes counts its days in the learner's zone (without this script: UTC, which the
// settings can change).
(() => {
  let zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch {
    return;
  }
  if (!zone) return;
  for (const link of document.querySelectorAll("a[data-signin-link]")) {
    const url = new URL(link.href, location.href);
    url.searchParams.set("tz", zone);
    link.href = url.pathname + url.search;
  }
})();
