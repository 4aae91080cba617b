/* Small tools on the pages: "copy link to this step" after every step heading (trainers
 * paste the link into training material; it opens the SOP at that step), training-path
 * checklists whose ticks are kept in this browser (localStorage), and the overdue banner.
 * An ES module: its texts and the site's time zone come from the build (site.js). */
import {settings, texts} from "./site.js";

(function () {
  "use strict";
  var TEXT = texts("stepLink");

  function stepUrl(id) {
    return location.origin + location.pathname + "#" + encodeURIComponent(id);
  }

  /* One polite live region per page: what a button did is announced, not only shown. */
  var status = null;
  function announce(text) {
    if (!status) {
      status = document.createElement("div");
      status.className = "sop-visually-hidden";
      status.setAttribute("role", "status");
      document.body.appendChild(status);
    }
    status.textContent = "";
    setTimeout(function () { status.textContent = text; }, 50);
  }

  /* The button stands after the heading, not inside it: the heading's name stays the step's
   * action, and the button has a name of its own. */
  function add(root) {
    root.querySelectorAll("h3.sop-step[id]").forEach(function (heading) {
      var next = heading.nextElementSibling;
      if (next && next.classList.contains("sop-step-link")) { return; }
      var name = heading.textContent.replace(/¶\s*$/, "").trim();
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sop-step-link";
      button.setAttribute("aria-label", TEXT.copy + ": " + name);
      button.setAttribute("data-pagefind-ignore", "");
      // Material's "link" icon, inline: no icon font or emoji font is needed.
      button.innerHTML = '<svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">' +
        '<path fill="currentColor" d="M3.9 12c0-1.71 1.39-3.1 3.1-3.1h4V7H7c-2.76 0-5 2.24-5 ' +
        '5s2.24 5 5 5h4v-1.9H7c-1.71 0-3.1-1.39-3.1-3.1M8 13h8v-2H8v2m9-6h-4v1.9h4c1.71 0 3.1 ' +
        '1.39 3.1 3.1s-1.39 3.1-3.1 3.1h-4V17h4c2.76 0 5-2.24 5-5s-2.24-5-5-5Z"/></svg>' +
        '<span class="sop-step-link__text"></span>';
      var label = button.querySelector(".sop-step-link__text");
      label.textContent = " " + TEXT.copy;
      button.addEventListener("click", function () {
        var url = stepUrl(heading.id);
        var done = function () {
          label.textContent = " " + TEXT.done;
          button.classList.add("sop-step-link--done");
          announce(TEXT.done);
          setTimeout(function () {
            label.textContent = " " + TEXT.copy;
            button.classList.remove("sop-step-link--done");
          }, 2000);
        };
        if (navigator.clipboard && navigator.clipboard.writeText) {
          navigator.clipboard.writeText(url).then(done, function () { prompt(TEXT.copy, url); });
        } else {
          prompt(TEXT.copy, url);
        }
      });
      heading.insertAdjacentElement("afterend", button);
    });
  }

  /* Ticks are kept by SOP and step id, so they stay on their item when a path changes. */
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

  /* Today in the site's time zone (the plugin's ``time_zone``), as YYYY-MM-DD. */
  function today(timeZone) {
    try {
      return new Intl.DateTimeFormat("en-CA", {timeZone: timeZone, year: "numeric",
                                              month: "2-digit", day: "2-digit"}).format(new Date());
    } catch (e) {
      return new Date().toISOString().slice(0, 10);
    }
  }

  /* A page built before its SOP's review date shows the banner once the date has passed
   * where the site's readers are. */
  function overdue(root) {
    root.querySelectorAll(".sop-overdue[data-next-review]").forEach(function (banner) {
      var date = today(banner.getAttribute("data-time-zone") || settings.timeZone);
      if (banner.getAttribute("data-next-review") < date) { banner.hidden = false; }
    });
  }

  /* The theme wraps each code block's copy button in an unnamed <nav>: a page with several
   * templates has as many navigation landmarks, all alike. They are plain containers. */
  function groups(root) {
    root.querySelectorAll("nav.md-code__nav:not([role])").forEach(function (nav) {
      nav.setAttribute("role", "none");
    });
  }

  /* Practice: an answer is checked as soon as it is chosen, its explanation shown, and the
   * score kept below the questions; nothing leaves the browser. */
  function practice(root) {
    root.querySelectorAll("form.sop-practice[data-practice]").forEach(function (form) {
      var score = form.querySelector(".sop-practice__score");
      var total = form.querySelectorAll(".sop-practice__q").length;
      var right = 0;
      var answered = 0;
      form.addEventListener("submit", function (event) { event.preventDefault(); });
      form.querySelectorAll(".sop-practice__q").forEach(function (question) {
        question.addEventListener("change", function (event) {
          if (question.hasAttribute("data-result")) { return; }
          var correct = event.target.value === question.getAttribute("data-answer");
          question.setAttribute("data-result", correct ? "right" : "wrong");
          question.querySelectorAll("input").forEach(function (input) {
            input.disabled = true;
            if (input.value === question.getAttribute("data-answer")) {
              input.parentNode.classList.add("sop-practice__option--answer");
            }
          });
          question.querySelector(".sop-practice__explain").hidden = false;
          answered += 1;
          right += correct ? 1 : 0;
          var text = answered === total ? score.getAttribute("data-final")
            : score.getAttribute("data-template");
          score.textContent = text.replace("{right}", right).replace("{answered}", answered)
            .replace("{total}", total);
        });
      });
    });
  }

  /* A table wider than a phone's screen scrolls inside itself; one that does is a stop of
   * the keyboard, so that it can be scrolled without a pointer (WCAG 2.1.1). */
  function scrollers(root) {
    root.querySelectorAll(".md-typeset table, .md-typeset__scrollwrap").forEach(function (box) {
      var scrolls = /auto|scroll/.test(getComputedStyle(box).overflowX) &&
        box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
      } else if (!scrolls && box.getAttribute("tabindex") === "0") {
        box.removeAttribute("tabindex");
      }
    });
  }

  window.sopKbPageTools = {today: today};

  function start() {
    add(document); checklists(document); overdue(document); groups(document);
    practice(document); scrollers(document);
    var resized = null;
    var again = function () {
      clearTimeout(resized);
      resized = setTimeout(function () { scrollers(document); }, 100);
    };
    window.addEventListener("resize", again);
    window.addEventListener("load", again);
    new MutationObserver(function () { groups(document); })
      .observe(document.body, {childList: true, subtree: true});
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
