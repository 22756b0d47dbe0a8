// Remembers the challenge page's "hide topic and difficulty" choice (the hiding itself is
// CSS, so it works without this script, for the page on screen).
(() => {
  const toggle = document.getElementById("realism");
  if (!toggle) return;
  const key = "promptedcode.realism";
  try {
    toggle.checked = localStorage.getItem(key) === "on";
    toggle.addEventListener("change", () => localStorage.setItem(key, toggle.checked ? "on" : "off"));
  } catch {
    // Storage unavailable (private mode): the choice lasts for this page.
  }
  toggle.dataset.ready = "true";
})();
