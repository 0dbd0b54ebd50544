/*
 * A fake of the ET (WPS 表格) object model, as much as js/juesuan.js uses: Application,
 * Workbook.Sheets (Count, Item, Add), Worksheet (Name, Visible, UsedRange, Range, Hyperlinks, PageSetup.PrintArea,
 * Activate), Range (Value2, NumberFormat, Interior.Color/ColorIndex, Clear, ClearContents,
 * Insert). It holds a workbook as tests/support/wps_client.py dumps it, stores what Excel and
 * ET store (a string assigned to a cell not formatted as text becomes a number when it reads
 * as one; "" leaves the cell empty), and counts the calls, so a test sees blocks, not cells.
 */
"use strict";

const NUMBER_TEXT = /^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d*)?([eE][+-]?\d+)?%?$|^[+-]?\.\d+$/;
const COLOR_INDEX_NONE = -4142;

function parseCell(a1) {
  const m = /^([A-Z]+)(\d+)$/.exec(a1);
  if (!m) throw new Error(`bad cell address ${a1}`);
  let col = 0;
  for (const ch of m[1]) col = col * 26 + ch.charCodeAt(0) - 64;
  return [Number(m[2]), col];
}

function letters(col) {
  let out = "";
  while (col > 0) { const rest = (col - 1) % 26; out = String.fromCharCode(65 + rest) + out; col = (col - 1 - rest) / 26; }
  return out;
}

function excelStores(value, format) {
  if (value === "" || value === undefined || value === null) return null;
  if (typeof value !== "string" || format === "@") return value;
  const text = value.trim();
  if (NUMBER_TEXT.test(text)) {
    const plain = text.replace(/,/g, "");
    return plain.endsWith("%") ? Number(plain.slice(0, -1)) / 100 : Number(plain);
  }
  return value;
}

class Range {
  constructor(sheet, r1, c1, r2, c2, wholeRows = false) {
    Object.assign(this, {sheet, r1, c1, r2, c2, wholeRows});
  }
  get Row() { return this.r1; }
  get Column() { return this.c1; }
  get Rows() { return {Count: this.r2 - this.r1 + 1}; }
  get Columns() { return {Count: this.c2 - this.c1 + 1}; }
  *cells() {
    for (let r = this.r1; r <= this.r2; r++) for (let c = this.c1; c <= this.c2; c++) yield this.sheet.cell(r, c, true);
  }
  get Value2() {
    this.sheet.book.app.calls.read += 1;
    if (this.r1 === this.r2 && this.c1 === this.c2) return this.sheet.value(this.r1, this.c1);
    const out = [];
    for (let r = this.r1; r <= this.r2; r++) {
      const row = [];
      for (let c = this.c1; c <= this.c2; c++) row.push(this.sheet.value(r, c));
      out.push(row);
    }
    return out;
  }
  set Value2(values) {
    this.sheet.book.app.calls.write += 1;
    for (let r = this.r1; r <= this.r2; r++) {
      for (let c = this.c1; c <= this.c2; c++) {
        const v = Array.isArray(values) ? values[r - this.r1][c - this.c1] : values;
        const cell = this.sheet.cell(r, c, true);
        cell.value = excelStores(v, cell.format);
      }
    }
  }
  set NumberFormat(format) {
    this.sheet.book.app.calls.write += 1;
    for (const cell of this.cells()) cell.format = format;
  }
  get Interior() {
    const range = this;
    return {
      get Color() {
        const fill = range.sheet.cell(range.r1, range.c1).fill;
        if (!fill) return 16777215;              // an unfilled cell reports white, with ColorIndex none
        const n = parseInt(fill.slice(1), 16);
        return ((n >> 16) & 255) + ((n >> 8) & 255) * 256 + (n & 255) * 65536;
      },
      set Color(bgr) {
        range.sheet.book.app.calls.write += 1;
        const hex = [bgr & 255, (bgr >> 8) & 255, (bgr >> 16) & 255]
          .map((x) => x.toString(16).toUpperCase().padStart(2, "0")).join("");
        for (const cell of range.cells()) cell.fill = "#" + hex;
      },
      get ColorIndex() { return range.sheet.cell(range.r1, range.c1).fill ? 1 : COLOR_INDEX_NONE; },
      set ColorIndex(index) {
        range.sheet.book.app.calls.write += 1;
        if (index !== COLOR_INDEX_NONE) throw new Error("the fake only clears fills through ColorIndex");
        for (const cell of range.cells()) cell.fill = null;
      },
    };
  }
  Clear() {
    this.sheet.book.app.calls.write += 1;
    for (const cell of this.cells()) Object.assign(cell, {value: null, format: "General", fill: null, link: null});
  }
  ClearContents() {
    this.sheet.book.app.calls.write += 1;
    for (const cell of this.cells()) cell.value = null;
  }
  Insert(shift, origin) {
    this.sheet.book.app.calls.write += 1;
    if (!this.wholeRows || shift !== -4121 || origin !== 1) throw new Error("the fake inserts whole rows, down, formatted from below");
    for (let n = 0; n <= this.r2 - this.r1; n++) this.sheet.insertRow(this.r1);
  }
}

class Sheet {
  constructor(book, name, visible = -1) {
    Object.assign(this, {book, Name: name, Visible: visible, cells: new Map()});
    const sheet = this;
    this.PageSetup = {
      area: "",
      get PrintArea() { return this.area; },
      set PrintArea(value) { sheet.book.app.calls.write += 1; this.area = value; },
    };
    this.Hyperlinks = {
      Add(anchor, address, subAddress, tip, text) {
        sheet.book.app.calls.write += 1;
        const cell = sheet.cell(anchor.r1, anchor.c1, true);
        Object.assign(cell, {value: text, link: subAddress, tip});
      },
    };
  }
  cell(r, c, create = false) {
    const key = `${r},${c}`;
    let cell = this.cells.get(key);
    if (!cell) {
      cell = {value: null, format: "General", fill: null, link: null};
      if (create) this.cells.set(key, cell);
    }
    return cell;
  }
  value(r, c) {
    const v = this.cell(r, c).value;
    return v === null ? undefined : v;            // an empty cell's Value2 is Empty
  }
  get UsedRange() {
    let r1 = Infinity, c1 = Infinity, r2 = 1, c2 = 1;
    for (const [key, cell] of this.cells) {
      if (cell.value === null && !cell.fill && cell.format === "General" && !cell.link) continue;
      const [r, c] = key.split(",").map(Number);
      r1 = Math.min(r1, r); c1 = Math.min(c1, c); r2 = Math.max(r2, r); c2 = Math.max(c2, c);
    }
    if (r1 === Infinity) { r1 = 1; c1 = 1; }
    return new Range(this, r1, c1, r2, c2);
  }
  Range(address) {
    const rows = /^(\d+):(\d+)$/.exec(address);
    if (rows) return new Range(this, Number(rows[1]), 1, Number(rows[2]), 16384, true);
    const [first, last] = address.split(":");
    const [r1, c1] = parseCell(first);
    const [r2, c2] = last ? parseCell(last) : [r1, c1];
    return new Range(this, r1, c1, r2, c2);
  }
  Activate() { this.book.active = this; }
  insertRow(at) {
    const moved = new Map();
    for (const [key, cell] of this.cells) {
      const [r, c] = key.split(",").map(Number);
      moved.set(r >= at ? `${r + 1},${c}` : key, cell);
    }
    for (const [key, cell] of moved) {              // the new row takes the look of the row below
      const [r, c] = key.split(",").map(Number);
      if (r === at + 1) moved.set(`${at},${c}`, {value: null, format: cell.format, fill: cell.fill, link: null});
    }
    this.cells = moved;
  }
}

class Workbook {
  constructor(app, name, fullName) {
    Object.assign(this, {app, Name: name, FullName: fullName || name, Path: "", sheets: [], active: null});
    if (fullName && fullName.includes("/")) this.Path = fullName.slice(0, fullName.lastIndexOf("/"));
    const book = this;
    this.Sheets = {
      get Count() { return book.sheets.length; },
      Item(which) {
        const sheet = typeof which === "number" ? book.sheets[which - 1] : book.sheets.find((s) => s.Name === which);
        if (!sheet) throw new Error(`no sheet ${which}`);
        return sheet;
      },
      Add(before, after) {
        book.app.calls.write += 1;
        const sheet = new Sheet(book, `Sheet${book.sheets.length + 1}`);
        const at = after ? book.sheets.indexOf(after) + 1 : before ? book.sheets.indexOf(before) : 0;
        book.sheets.splice(at, 0, sheet);
        return sheet;
      },
    };
  }
}

/* An Application holding the workbook `dump` ({name, sheets: [{name, values, hidden, fills, links}]}). */
function fakeApplication(dump, fullName) {
  const app = {ScreenUpdating: true, calls: {read: 0, write: 0}, ActiveWorkbook: null};
  const book = new Workbook(app, dump.name, fullName);
  for (const item of dump.sheets) {
    const visible = item.hidden === "hidden" ? 0 : item.hidden === "veryHidden" ? 2 : -1;
    const sheet = new Sheet(book, item.name, visible);
    sheet.PageSetup.area = item.print_area || "";
    (item.values || []).forEach((row, i) => row.forEach((v, j) => {
      if (v !== null && v !== "") sheet.cell(i + 1, j + 1, true).value = v;
    }));
    for (const [a1, fill] of Object.entries(item.fills || {})) {
      const [r, c] = parseCell(a1);
      sheet.cell(r, c, true).fill = fill;
    }
    for (const [a1, link] of Object.entries(item.links || {})) {
      const [r, c] = parseCell(a1);
      sheet.cell(r, c, true).link = link;
    }
    book.sheets.push(sheet);
  }
  book.active = book.sheets[0];
  app.ActiveWorkbook = book;
  return app;
}

/* The workbook as a comparable dump: per sheet, the non-empty values, fills and links by A1. */
function snapshot(app) {
  const book = app.ActiveWorkbook;
  return book.sheets.map((sheet) => {
    const values = {}, fills = {}, links = {};
    for (const [key, cell] of sheet.cells) {
      const [r, c] = key.split(",").map(Number);
      const a1 = letters(c) + r;
      if (cell.value !== null) values[a1] = cell.value;
      if (cell.fill) fills[a1] = cell.fill;
      if (cell.link) links[a1] = cell.link;
    }
    return {name: sheet.Name, values, fills, links, printArea: sheet.PageSetup.area};
  });
}

/* A dump from wps_client.py in the same shape. */
function snapshotOfDump(dump) {
  return dump.sheets.map((item) => {
    const values = {};
    (item.values || []).forEach((row, i) => row.forEach((v, j) => {
      if (v !== null && v !== "") values[letters(j + 1) + (i + 1)] = v;
    }));
    return {name: item.name, values, fills: {...(item.fills || {})}, links: {...(item.links || {})},
            printArea: item.print_area || ""};
  });
}

module.exports = {fakeApplication, snapshot, snapshotOfDump, excelStores, parseCell, letters};
