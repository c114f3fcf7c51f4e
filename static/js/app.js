/* Beacon ABM — small progressive enhancements. Every page works without this file.
 *
 *  select[data-autosubmit] / input[data-autosubmit]   submit the enclosing form on change
 *  form[data-confirm="…"] / button[data-confirm]       ask before submitting (htmx: use hx-confirm)
 *  [data-dismiss]                                      removes its .flash (success/info fade by themselves)
 *  details.menu                                        closes on outside click and Escape
 *  canvas[data-chart="ID"]                             Chart.js chart from <script type="application/json" id="ID">
 *                                                      (e.g. {{ config|json_script:"ID" }}), themed here;
 *                                                      re-initialised after htmx swaps
 *  keyboard: "/" focuses input[type=search] (or [data-search]); "g" then a key follows
 *            the sidebar link with data-shortcut="key"
 *  body.is-loading while an htmx request runs (thin line at the top of the page)
 */
(function () {
  "use strict";

  // ---------------------------------------------------------------- forms
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("[data-autosubmit]") && el.form) {
      if (el.form.requestSubmit) el.form.requestSubmit();
      else el.form.submit();
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    var message = (button && button.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
      return;
    }
    // one click, one submit: a spinner on the button that sent a plain POST form
    // (not for htmx forms, downloads in a new tab, or forms marked data-no-spinner)
    var plainPost = (form.getAttribute("method") || "").toLowerCase() === "post" && !form.hasAttribute("hx-post");
    if (button && plainPost && !form.target && !form.hasAttribute("data-no-spinner") && button.classList.contains("btn")) {
      window.setTimeout(function () {
        button.classList.add("is-loading");
      }, 0);
    }
  });
  // the back/forward cache can restore a page with a spinning button
  window.addEventListener("pageshow", function () {
    document.querySelectorAll(".btn.is-loading").forEach(function (b) {
      b.classList.remove("is-loading");
    });
  });

  // ---------------------------------------------------------------- flash messages
  function dismiss(flash) {
    flash.classList.add("is-leaving");
    window.setTimeout(function () {
      flash.remove();
    }, 220);
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-dismiss]");
    if (button) {
      var flash = button.closest(".flash, .callout");
      if (flash) dismiss(flash);
    }
  });
  function autoDismiss(root) {
    root.querySelectorAll(".flash-success, .flash-info").forEach(function (flash) {
      window.setTimeout(function () {
        if (document.body.contains(flash) && !flash.matches(":hover")) dismiss(flash);
      }, 7000);
    });
  }

  // ---------------------------------------------------------------- menus
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      document.querySelectorAll("details.menu[open]").forEach(function (menu) {
        menu.removeAttribute("open");
        var summary = menu.querySelector("summary");
        if (summary) summary.focus();
      });
    }
  });

  // ---------------------------------------------------------------- keyboard shortcuts
  var waitingForG = false;
  var gTimer = null;
  function typing(target) {
    return target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
  }
  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.metaKey || event.ctrlKey || event.altKey || typing(event.target)) return;
    if (waitingForG) {
      waitingForG = false;
      window.clearTimeout(gTimer);
      var link = document.querySelector('.sidebar [data-shortcut="' + CSS.escape(event.key.toLowerCase()) + '"]');
      if (link) {
        event.preventDefault();
        link.click();
      }
      return;
    }
    if (event.key === "g") {
      waitingForG = true;
      gTimer = window.setTimeout(function () {
        waitingForG = false;
      }, 1200);
      return;
    }
    if (event.key === "/") {
      var search = document.querySelector("[data-search], .content input[type=search]");
      if (search) {
        event.preventDefault();
        search.focus();
        if (search.select) search.select();
      }
    }
  });

  // ---------------------------------------------------------------- charts
  var PALETTE = ["#4f46e5", "#0ba5ec", "#12b76a", "#f79009", "#e04f8f", "#7a5af8", "#98a2b3", "#d92d20"];

  function themeCharts() {
    if (!window.Chart || window.Chart.__beaconThemed) return;
    var C = window.Chart;
    C.defaults.font.family = getComputedStyle(document.body).fontFamily;
    C.defaults.font.size = 12;
    C.defaults.color = "#5d6675";
    C.defaults.borderColor = "#eef0f4";
    C.defaults.maintainAspectRatio = false;
    C.defaults.responsive = true;
    C.defaults.animation.duration = 300;
    C.defaults.plugins.legend.position = "bottom";
    C.defaults.plugins.legend.align = "start";
    C.defaults.plugins.legend.labels.boxWidth = 8;
    C.defaults.plugins.legend.labels.boxHeight = 8;
    C.defaults.plugins.legend.labels.usePointStyle = true;
    C.defaults.plugins.legend.labels.padding = 14;
    C.defaults.plugins.tooltip.backgroundColor = "#101828";
    C.defaults.plugins.tooltip.padding = 10;
    C.defaults.plugins.tooltip.cornerRadius = 6;
    C.defaults.plugins.tooltip.titleFont = { weight: "600" };
    C.defaults.plugins.tooltip.boxPadding = 4;
    C.defaults.elements.bar.borderRadius = 3;
    C.defaults.elements.line.borderWidth = 2;
    C.defaults.elements.line.tension = 0.3;
    C.defaults.elements.line.cubicInterpolationMode = "monotone";
    C.defaults.scales.linear.beginAtZero = true;
    C.defaults.elements.point.radius = 0;
    C.defaults.elements.point.hoverRadius = 4;
    C.defaults.scale.grid.drawTicks = false;
    C.defaults.scale.border.display = false;
    C.defaults.scale.ticks.padding = 8;
    C.__beaconThemed = true;
  }

  function withAlpha(hex, alpha) {
    var n = parseInt(hex.slice(1), 16);
    return "rgba(" + ((n >> 16) & 255) + "," + ((n >> 8) & 255) + "," + (n & 255) + "," + alpha + ")";
  }

  // Give datasets without colours the palette, so templates pass data only.
  function colourise(config) {
    var type = config.type || "bar";
    var datasets = (config.data && config.data.datasets) || [];
    datasets.forEach(function (ds, i) {
      var dsType = ds.type || type;
      var colour = PALETTE[i % PALETTE.length];
      if (dsType === "doughnut" || dsType === "pie" || dsType === "polarArea") {
        if (!ds.backgroundColor) {
          ds.backgroundColor = (ds.data || []).map(function (_, j) {
            return PALETTE[j % PALETTE.length];
          });
        }
        if (ds.borderColor === undefined) ds.borderColor = "#fff";
        return;
      }
      if (!ds.borderColor) ds.borderColor = colour;
      if (!ds.backgroundColor) ds.backgroundColor = dsType === "line" ? withAlpha(colour, ds.fill ? 0.12 : 1) : colour;
      if (dsType === "bar" && ds.maxBarThickness === undefined) ds.maxBarThickness = 36;
    });
    return config;
  }

  function initCharts(root) {
    if (!window.Chart) return;
    themeCharts();
    (root || document).querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (canvas.__chart) return;
      var source = document.getElementById(canvas.getAttribute("data-chart"));
      if (!source) return;
      var config;
      try {
        config = JSON.parse(source.textContent);
      } catch (err) {
        console.error("Chart config is not valid JSON:", canvas.getAttribute("data-chart"), err);
        return;
      }
      canvas.__chart = new window.Chart(canvas, colourise(config));
    });
  }
  window.BeaconCharts = { init: initCharts, palette: PALETTE };

  // ---------------------------------------------------------------- htmx
  document.addEventListener("htmx:beforeRequest", function () {
    document.body.classList.add("is-loading");
  });
  ["htmx:afterRequest", "htmx:responseError", "htmx:sendError"].forEach(function (name) {
    document.addEventListener(name, function () {
      document.body.classList.remove("is-loading");
    });
  });
  document.addEventListener("htmx:beforeCleanupElement", function (event) {
    var el = event.target;
    if (el.__chart) {
      el.__chart.destroy();
      el.__chart = null;
    }
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    initCharts(event.target);
    autoDismiss(event.target);
  });

  // ---------------------------------------------------------------- start
  function start() {
    initCharts(document);
    autoDismiss(document);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
