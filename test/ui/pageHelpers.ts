/**
 * Browser-side helpers for the UI tests, installed into the page as `window.__lowdoseTest`.
 *
 * They are plain JavaScript in a string on purpose: functions passed to `page.evaluate` are
 * serialised, and tsx's transform can wrap them with helpers (such as `__name`) that do not exist in
 * the page. They read JupyterLab's state through `window.jupyterapp`, which the test server exposes
 * (`LabApp.expose_app_in_browser`).
 */
export const PAGE_HELPERS = String.raw`
window.__lowdoseTest = {
  panel: function () {
    var app = window.jupyterapp;
    var widget = app && app.shell && app.shell.currentWidget;
    return widget && widget.content && widget.sessionContext ? widget : null;
  },
  kernelStatus: function () {
    var p = this.panel();
    return p ? p.sessionContext.kernelDisplayStatus : 'no notebook';
  },
  // One entry per code cell: execution count and any error / stderr text.
  cells: function () {
    var p = this.panel();
    if (!p) return [];
    return p.content.widgets
      .filter(function (c) { return c.model.type === 'code'; })
      .map(function (c) {
        var outputs = c.model.outputs.toJSON();
        var problems = [];
        outputs.forEach(function (o) {
          if (o.output_type === 'error') problems.push(o.ename + ': ' + o.evalue);
          if (o.output_type === 'stream' && o.name === 'stderr') {
            problems.push(Array.isArray(o.text) ? o.text.join('') : String(o.text));
          }
        });
        return {
          source: c.model.sharedModel.getSource().slice(0, 80),
          executionCount: c.model.executionCount,
          hasSource: c.model.sharedModel.getSource().trim().length > 0,
          problems: problems
        };
      });
  },
  // 'done' when the kernel is idle and every non-empty code cell ran; 'error' when a cell failed.
  executionState: function () {
    var status = this.kernelStatus();
    if (status === 'dead' || status === 'unknown') return 'kernel ' + status;
    var cells = this.cells();
    var failed = cells.some(function (c) {
      return c.problems.some(function (t) { return /Error|error TS\d+/.test(t); });
    });
    if (failed && status === 'idle') return 'error';
    var ran = cells.every(function (c) { return !c.hasSource || c.executionCount !== null; });
    return ran && status === 'idle' ? 'done' : 'running';
  },
  dirty: function () {
    var p = this.panel();
    return p ? p.context.model.dirty : null;
  },
  // Luminance statistics of a canvas (sampled on a grid) and how many pixels are coloured.
  canvasStats: function (selector) {
    var canvas = document.querySelector(selector);
    if (!canvas || !canvas.width || !canvas.height) return null;
    var ctx = canvas.getContext('2d');
    var data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    var n = 0, sum = 0, sum2 = 0, coloured = 0, opaque = 0;
    var step = Math.max(1, Math.floor(Math.sqrt((canvas.width * canvas.height) / 40000)));
    var seen = {};
    var distinct = 0;
    for (var y = 0; y < canvas.height; y += step) {
      for (var x = 0; x < canvas.width; x += step) {
        var i = 4 * (y * canvas.width + x);
        var r = data[i], g = data[i + 1], b = data[i + 2], a = data[i + 3];
        if (a === 0) continue;
        opaque++;
        var lum = 0.299 * r + 0.587 * g + 0.114 * b;
        n++; sum += lum; sum2 += lum * lum;
        if (Math.abs(r - g) > 8 || Math.abs(g - b) > 8) coloured++;
        var key = (r << 16) | (g << 8) | b;
        if (!seen[key]) { seen[key] = 1; distinct++; }
      }
    }
    var mean = n ? sum / n : 0;
    return {
      width: canvas.width,
      height: canvas.height,
      opaque: opaque,
      mean: mean,
      std: n ? Math.sqrt(Math.max(0, sum2 / n - mean * mean)) : 0,
      colouredFraction: n ? coloured / n : 0,
      distinct: distinct,
      // A fingerprint to tell two renderings apart.
      hash: (function () {
        var h = 0;
        for (var k = 0; k < data.length; k += 4 * 97) h = (h * 31 + data[k] + data[k + 1] * 7 + data[k + 2] * 13) | 0;
        return h;
      })()
    };
  },
  // Adds a display_data output to the last code cell (for the untrusted-payload tests).
  addOutput: function (data) {
    var p = this.panel();
    var cells = p.content.widgets.filter(function (c) { return c.model.type === 'code'; });
    var cell = cells[cells.length - 1];
    cell.model.outputs.add({ output_type: 'display_data', data: data, metadata: {} });
    return cell.model.outputs.length;
  },
  // The image viewer renderers of a notebook panel, with the index of the cell each sits in.
  viewers: function (panel) {
    var found = [];
    panel.content.widgets.forEach(function (cell, index) {
      if (cell.model.type !== 'code' || !cell.outputArea) return;
      cell.outputArea.widgets.forEach(function (child) {
        var parts = child.widgets ? child.widgets : [child];
        parts.forEach(function (w) {
          if (w.node && w.node.classList.contains('jp-lowdose-image')) found.push({ cellIndex: index, renderer: w });
        });
      });
    });
    return found;
  },
  // The lowdose image payload of the first output that carries one.
  firstPayload: function (mime) {
    var p = this.panel();
    var cells = p.content.widgets.filter(function (c) { return c.model.type === 'code'; });
    for (var i = 0; i < cells.length; i++) {
      var outputs = cells[i].model.outputs.toJSON();
      for (var j = 0; j < outputs.length; j++) {
        if (outputs[j].data && outputs[j].data[mime]) return outputs[j].data[mime];
      }
    }
    return null;
  }
};
`;
