/* Small tools on the pages: "copy link to this step" beside every step heading (trainers
 * paste the link into training material; it opens the SOP at that step), and training-path
 * checklists whose ticks are kept in this browser (localStorage). */
(function () {
  "use strict";
  var lang = (document.documentElement.lang || "en").slice(0, 2);
  var TEXT = {
    id: {copy: "Salin tautan langkah", done: "Tautan disalin"},
    en: {copy: "Copy link to this step", done: "Link copied"}
  }[lang] || {copy: "Copy link to this step", done: "Link copied"};

  function stepUrl(id) {
    return location.origin + location.pathname + "#" + encodeURIComponent(id);
  }

  function add(root) {
    root.querySelectorAll("h3.sop-step[id]").forEach(function (heading) {
      if (heading.querySelector(".sop-step-link")) { return; }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sop-step-link";
      button.title = TEXT.copy;
      button.setAttribute("aria-label", TEXT.copy);
      button.setAttribute("data-pagefind-ignore", "");
      // Material's "link" icon, inline: no icon font or emoji font is needed.
      button.innerHTML = '<svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">' +
        '<path fill="currentColor" d="M3.9 12c0-1.71 1.39-3.1 3.1-3.1h4V7H7c-2.76 0-5 2.24-5 ' +
        '5s2.24 5 5 5h4v-1.9H7c-1.71 0-3.1-1.39-3.1-3.1M8 13h8v-2H8v2m9-6h-4v1.9h4c1.71 0 3.1 ' +
        '1.39 3.1 3.1s-1.39 3.1-3.1 3.1h-4V17h4c2.76 0 5-2.24 5-5s-2.24-5-5-5Z"/></svg>';
      button.addEventListener("click", function () {
        var url = stepUrl(heading.id);
        var done = function () {
          button.title = TEXT.done;
          button.classList.add("sop-step-link--done");
          setTimeout(function () {
            button.title = TEXT.copy;
            button.classList.remove("sop-step-link--done");
          }, 1500);
        };
        if (navigator.clipboard && navigator.clipboard.writeText) {
          navigator.clipboard.writeText(url).then(done, function () { prompt(TEXT.copy, url); });
        } else {
          prompt(TEXT.copy, url);
        }
      });
      heading.appendChild(button);
    });
  }

  function checklists(root) {
    root.querySelectorAll(".sop-training[data-training]").forEach(function (list) {
      var key = "sop-kb:training:" + list.getAttribute("data-training");
      var ticked = {};
      try { ticked = JSON.parse(localStorage.getItem(key) || "{}"); } catch (e) { ticked = {}; }
      list.querySelectorAll("input.sop-training__check").forEach(function (box) {
        var item = box.getAttribute("data-item");
        box.checked = !!ticked[item];
        box.addEventListener("change", function () {
          ticked[item] = box.checked;
          try { localStorage.setItem(key, JSON.stringify(ticked)); } catch (e) { /* private mode */ }
        });
      });
    });
  }

  /* A page built before its SOP's review date shows the banner once the date has passed. */
  function overdue(root) {
    var today = new Date().toISOString().slice(0, 10);
    root.querySelectorAll(".sop-overdue[data-next-review]").forEach(function (banner) {
      if (banner.getAttribute("data-next-review") < today) { banner.hidden = false; }
    });
  }

  function start() { add(document); checklists(document); overdue(document); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
