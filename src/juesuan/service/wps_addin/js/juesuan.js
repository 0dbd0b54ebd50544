/*
 * 决算助手 for WPS 表格: the buttons' work, independent of WPS globals so that the Node tests run it
 * against a fake ET Application (tests/fake_et.js) and the real `juesuan serve`.
 *
 * One button press: read the used range of each standard sheet once (Range.Value2), send it to
 * the local service (POST /api/<operation>, token header), send it again with the current fills
 * of the few cells the service asks about (need_fills), apply the returned edit list in blocks
 * (each step one range: values, number format, colour, insert row, clear, hyperlink), and show
 * the service's Chinese message. The edit list is the one the Excel buttons apply
 * (src/juesuan/views/edits.py); this file must stay plain ES2017 without dependencies.
 */
(function (root) {
  "use strict";

  var STANDARD_SHEETS = ["单位信息", "公开01", "公开02", "公开03", "公开04", "公开05", "公开06", "公开07",
                         "公开08", "公开09", "上年数", "其他公开事项", "审核结果"];
  var TOKEN_HEADER = "X-Juesuan-Token";
  var DEFAULT_PORT = 27460;                 // juesuan serve's default (service/config.py)
  var XL_SHIFT_DOWN = -4121;                // XlInsertShiftDirection.xlShiftDown
  var XL_FORMAT_FROM_RIGHT_OR_BELOW = 1;    // XlInsertFormatOrigin: the new row looks like the row below
  var XL_COLOR_INDEX_NONE = -4142;          // no fill
  var XL_SHEET_HIDDEN = 0, XL_SHEET_VERY_HIDDEN = 2;
  var START_WAIT_MS = 500, START_TRIES = 12;

  var MESSAGES = {
    noBook: "请先打开决算公开工作簿，再点按钮。",
    notStandard: "当前工作簿不是决算公开标准工作簿（缺少“单位信息”和“公开01”～“公开09”工作表）。" +
                 "请用 juesuan template 生成的标准工作簿填报。",
    notRunning: "决算服务没有运行，按钮无法工作。\n请在命令行运行：juesuan serve\n（安装说明见 docs/wps.md），然后再点按钮。",
    noToken: "找不到决算服务的访问令牌文件。\n请在命令行运行：juesuan serve --init-token\n然后再点按钮。",
    badToken: "决算服务拒绝了访问令牌：加载项读取的令牌与正在运行的服务不一致。\n" +
              "请停止服务（juesuan serve --stop）后重新运行 juesuan serve，再点按钮。"
  };

  function columnLetter(col) {
    var out = "";
    while (col > 0) {
      var rest = (col - 1) % 26;
      out = String.fromCharCode(65 + rest) + out;
      col = (col - 1 - rest) / 26;
    }
    return out;
  }

  function address(r1, c1, r2, c2) {
    var first = columnLetter(c1) + r1;
    return (r2 === undefined || (r1 === r2 && c1 === c2)) ? first : first + ":" + columnLetter(c2) + r2;
  }

  function hexToBgr(hex) {                  // "#RRGGBB" -> what Interior.Color takes (red in the low byte)
    var n = parseInt(hex.slice(1), 16);
    return ((n >> 16) & 255) + ((n >> 8) & 255) * 256 + (n & 255) * 65536;
  }

  function bgrToHex(bgr) {
    var r = bgr & 255, g = (bgr >> 8) & 255, b = (bgr >> 16) & 255;
    return "#" + [r, g, b].map(function (x) { return (x < 16 ? "0" : "") + x.toString(16).toUpperCase(); }).join("");
  }

  function asGrid(value) {                  // Value2 of a range: a 2-D array, or a scalar for one cell
    if (value && typeof value.toArray === "function" && typeof value.ubound === "function") {
      var flat = value.toArray(), rows = value.ubound(1), cols = value.ubound(2), out = [];
      for (var r = 0; r < rows; r++) {      // a VBArray is column-major
        var row = [];
        for (var c = 0; c < cols; c++) row.push(flat[c * rows + r]);
        out.push(row);
      }
      value = out;
    }
    if (!Array.isArray(value)) return [[value]];
    return value.map(function (row) {
      return (Array.isArray(row) ? row : [row]).map(function (v) { return v === undefined || v === "" ? null : v; });
    });
  }

  function isStandard(name) { return STANDARD_SHEETS.indexOf(name) >= 0; }

  function sheetItems(book) {
    var out = [];
    for (var i = 1; i <= book.Sheets.Count; i++) out.push(book.Sheets.Item(i));
    return out;
  }

  /* The request: every sheet by name and visibility, the values of the standard ones. */
  function readBook(book) {
    var sheets = sheetItems(book).map(function (sheet) {
      var item = {name: sheet.Name, values: null, hidden: null};
      if (sheet.Visible === XL_SHEET_HIDDEN) item.hidden = "hidden";
      if (sheet.Visible === XL_SHEET_VERY_HIDDEN) item.hidden = "veryHidden";
      if (isStandard(sheet.Name)) {
        var used = sheet.UsedRange;
        var lastRow = used.Row + used.Rows.Count - 1, lastCol = used.Column + used.Columns.Count - 1;
        item.values = asGrid(sheet.Range(address(1, 1, lastRow, lastCol)).Value2);
      }
      return item;
    });
    var path = book.Path ? book.FullName : null;      // an unsaved book has no folder yet
    return {book: {name: book.Name, path: path}, sheets: sheets};
  }

  function readFills(book, keys) {
    var out = {};
    keys.forEach(function (key) {
      var cut = key.lastIndexOf("!");
      var interior = book.Sheets.Item(key.slice(0, cut)).Range(key.slice(cut + 1)).Interior;
      out[key] = interior.ColorIndex === XL_COLOR_INDEX_NONE ? null : bgrToHex(interior.Color);
    });
    return out;
  }

  /* Apply the edit list (src/juesuan/views/edits.py) step by step: each step is one range. */
  function applyEdits(app, book, steps) {
    var updating = app.ScreenUpdating;
    app.ScreenUpdating = false;
    try {
      steps.forEach(function (step) {
        if (step.op === "add_sheet") {
          var added = book.Sheets.Add(undefined, book.Sheets.Item(book.Sheets.Count));
          added.Name = step.sheet;
          return;
        }
        var sheet = book.Sheets.Item(step.sheet);
        var range = step.range ? sheet.Range(address(step.range[0], step.range[1], step.range[2], step.range[3])) : null;
        switch (step.op) {
          case "insert_row":
            sheet.Range(step.row + ":" + step.row).Insert(XL_SHIFT_DOWN, XL_FORMAT_FROM_RIGHT_OR_BELOW);
            break;
          case "clear": range.Clear(); break;
          case "clear_contents": range.ClearContents(); break;
          case "number_format": range.NumberFormat = step.format; break;
          case "values": {
            var rows = step.values, width = rows[0].length;
            var target = sheet.Range(address(step.row, step.col, step.row + rows.length - 1, step.col + width - 1));
            target.Value2 = rows.length === 1 && width === 1 ? rows[0][0] : rows;
            break;
          }
          case "colour":
            if (step.colour === null) range.Interior.ColorIndex = XL_COLOR_INDEX_NONE;
            else range.Interior.Color = hexToBgr(step.colour);
            break;
          case "link": {
            var anchor = sheet.Range(address(step.row, step.col));
            sheet.Hyperlinks.Add(anchor, "", step.location, step.tip, step.text);
            break;
          }
          case "print_area": sheet.PageSetup.PrintArea = step.area; break;
          case "activate": sheet.Activate(); break;
          default: throw new Error("未知的修改步骤：" + step.op);
        }
      });
    } finally {
      app.ScreenUpdating = updating;
    }
  }

  /*
   * options: app (the ET Application), transport(url, {method, headers, body}) -> Promise of
   * {status, text}, readToken() -> string|null, startService() -> bool (tried to start it),
   * alert(message), sleep(ms) -> Promise, port.
   */
  function createAddin(options) {
    var port = options.port || DEFAULT_PORT;
    var base = "http://127.0.0.1:" + port;
    var sleep = options.sleep || function (ms) { return new Promise(function (done) { setTimeout(done, ms); }); };

    function Stop(message) { this.message = message; }

    async function send(path, token, body) {
      var answer = await options.transport(base + path, {
        method: body === undefined ? "GET" : "POST",
        headers: (function () { var h = {"Content-Type": "application/json"}; h[TOKEN_HEADER] = token; return h; })(),
        body: body === undefined ? undefined : JSON.stringify(body)
      });
      var parsed = null;
      try { parsed = JSON.parse(answer.text); } catch (e) { parsed = null; }
      if (answer.status === 401) throw new Stop(MESSAGES.badToken);
      if (answer.status !== 200) {
        throw new Stop(parsed && parsed.error ? parsed.error : "决算服务出错（HTTP " + answer.status + "）。");
      }
      return parsed;
    }

    async function reachable(token) {
      try { await send("/health", token); return true; } catch (e) {
        if (e instanceof Stop) throw e;       // it answered, and said no
        return false;
      }
    }

    /* The token, with the service running: started on demand once (it creates the token). */
    async function connect() {
      var token = options.readToken();
      if (token && await reachable(token)) return token;
      if (!options.startService || !options.startService()) {
        throw new Stop(token ? MESSAGES.notRunning : MESSAGES.noToken);
      }
      for (var i = 0; i < START_TRIES; i++) {
        await sleep(START_WAIT_MS);
        token = options.readToken();
        if (token && await reachable(token)) return token;
      }
      throw new Stop(token ? MESSAGES.notRunning : MESSAGES.noToken);
    }

    async function press(operation) {
      var app = options.app;
      var book = app.ActiveWorkbook;
      try {
        if (!book) throw new Stop(MESSAGES.noBook);
        var request = readBook(book);
        if (!request.sheets.some(function (s) { return s.name !== "审核结果" && isStandard(s.name); })) {
          throw new Stop(MESSAGES.notStandard);
        }
        var token = await connect();
        var answer = await send("/api/" + operation, token, request);
        if (answer.need_fills) {             // first marks on these cells: remember their fill
          request.fills = readFills(book, answer.need_fills);
          answer = await send("/api/" + operation, token, request);
        }
        applyEdits(app, book, answer.edits || []);
        options.alert(answer.message, answer.mode);
        return answer;
      } catch (e) {
        if (!(e instanceof Stop)) {
          if (e && /fetch|network|ECONNREFUSED|Failed/i.test(String(e.message || e))) e = new Stop(MESSAGES.notRunning);
          else e = new Stop("操作未完成：程序出错（" + (e && e.message ? e.message : e) + "）。");
        }
        options.alert(e.message, "critical");
        return null;
      }
    }

    return {
      check: function () { return press("check"); },
      fill: function () { return press("fill"); },
      publish: function () { return press("publish"); },
      narrate: function () { return press("narrate"); },
      clear: function () { return press("clear"); }
    };
  }

  var api = {createAddin: createAddin, readBook: readBook, readFills: readFills, applyEdits: applyEdits,
             address: address, columnLetter: columnLetter, hexToBgr: hexToBgr, bgrToHex: bgrToHex,
             MESSAGES: MESSAGES, DEFAULT_PORT: DEFAULT_PORT, TOKEN_HEADER: TOKEN_HEADER, STANDARD_SHEETS: STANDARD_SHEETS};
  if (typeof module === "object" && module.exports) module.exports = api;
  else root.Juesuan = api;
})(typeof window !== "undefined" ? window : this);
