"use strict";
// Filter the page as the reader types: an operation or schema stays when every word typed is
// part of its name, path, method, summary, tags or property names (its data-search text).
// Without JavaScript the box stays hidden and the whole page is shown.
(function () {
  const box = document.getElementById("search-box");
  const input = document.getElementById("search");
  const status = document.getElementById("search-status");
  const noMatch = document.getElementById("no-match");
  if (!box || !input || !status || !noMatch) {
    return;
  }
  const items = Array.from(document.querySelectorAll("main [data-search]"));
  const groups = Array.from(document.querySelectorAll("main [data-group]"));
  const statics = Array.from(document.querySelectorAll("main [data-static]"));
  const links = Array.from(document.querySelectorAll("nav a[data-target]"));
  const navGroups = Array.from(document.querySelectorAll("nav [data-nav-group]"));

  function apply() {
    const words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    const filtering = words.length > 0;
    let shown = 0;
    for (const item of items) {
      const text = item.getAttribute("data-search") || "";
      const hit = words.every((word) => text.includes(word));
      item.hidden = !hit;
      shown += hit ? 1 : 0;
    }
    for (const group of groups) {
      group.hidden = filtering && !group.querySelector("[data-search]:not([hidden])");
    }
    for (const element of statics) {
      element.hidden = filtering;
    }
    for (const link of links) {
      const target = document.getElementById(link.getAttribute("data-target") || "");
      link.parentElement.hidden = Boolean(target && target.hidden);
    }
    for (const group of navGroups) {
      group.hidden = filtering && !group.querySelector("li:not([hidden]) > a[data-target]");
    }
    noMatch.hidden = !filtering || shown > 0;
    status.textContent = filtering ? shown + " of " + items.length + " shown" : "";
  }

  box.hidden = false;
  input.addEventListener("input", apply);
  input.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      input.value = "";
      apply();
    }
  });
  document.addEventListener("keydown", (event) => {
    const typing = event.target instanceof HTMLElement && event.target.closest("input, textarea");
    if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      input.focus();
    }
  });
})();
