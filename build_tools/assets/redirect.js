// A moved page's forwarding page (build_tools/render/templates/redirect.html.j2): to the
// new address, keeping the #step of the old link where asked. A file, not an inline script,
// so that the site's Content-Security-Policy allows no inline script for it.
(function (script) {
  var target = script.getAttribute("data-target");
  location.replace(target + (script.hasAttribute("data-keep-hash") ? location.hash : ""));
})(document.currentScript);
