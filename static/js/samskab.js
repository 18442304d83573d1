/* Samskab: start Det Fælles Designsystem's components (no inline script, so the CSP stays strict)
   and add what they leave out: aria-expanded on the menu button, keyboard-reachable wide tables. */
(function () {
  "use strict";

  function syncMenuButtons() {
    var open = document.body.classList.contains("mobile-nav-active");
    document.querySelectorAll(".js-menu-open").forEach(function (button) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  /* A table wider than its column scrolls inside itself (samskab.css); a region that scrolls must be
     reachable by keyboard, so it gets a tab stop and a name. */
  function markScrollingTables() {
    document.querySelectorAll("main table").forEach(function (table) {
      var scrolls = table.scrollWidth > table.clientWidth + 1;
      if (scrolls) {
        table.setAttribute("tabindex", "0");
        if (!table.hasAttribute("aria-label") && !table.hasAttribute("aria-labelledby")) {
          var caption = table.querySelector("caption");
          var label = caption ? caption.textContent.trim() : document.body.getAttribute("data-table-label");
          if (label) { table.setAttribute("aria-label", label); }
        }
      } else if (table.getAttribute("tabindex") === "0") {
        table.removeAttribute("tabindex");
      }
    });
  }

  function start() {
    document.body.classList.remove("no-js");
    if (window.DKFDS && typeof window.DKFDS.init === "function") {
      window.DKFDS.init();
    }
    new MutationObserver(syncMenuButtons).observe(document.body, { attributes: true, attributeFilter: ["class"] });
    syncMenuButtons();
    markScrollingTables();
    window.addEventListener("resize", markScrollingTables);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
