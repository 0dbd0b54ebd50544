/*
 * The add-in's code (js/juesuan.js, js/ribbon.js) against a fake ET Application holding a sample
 * workbook, calling the real `juesuan serve` started here; the fake's sheets after a button are
 * compared with what `juesuan check --write` / `juesuan fill` make of the same file (openpyxl,
 * through tests/support/wps_client.py). Run: node --test wps/tests
 */
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const {spawn, execFileSync} = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const readline = require("node:readline");
const vm = require("node:vm");

const ROOT = path.resolve(__dirname, "..", "..");
const ADDIN = path.join(ROOT, "src", "juesuan", "service", "wps_addin");     // the add-in is package data
const Juesuan = require(path.join(ADDIN, "js", "juesuan.js"));
const {fakeApplication, snapshot, snapshotOfDump} = require("./fake_et.js");

const SAMPLES = path.join(ROOT, "samples");
const CLIENT = path.join(ROOT, "tests", "support", "wps_client.py");
const PYTHON = process.env.JUESUAN_PYTHON || "python3";
const CONFIG = fs.mkdtempSync(path.join(os.tmpdir(), "juesuan-wps-config-"));
const ENV = {...process.env, JUESUAN_CONFIG_DIR: CONFIG,
             PYTHONPATH: [path.join(ROOT, "src"), process.env.PYTHONPATH].filter(Boolean).join(path.delimiter)};
const TIME_LINE = /审核时间：\S+ \S+/;

let service = null, port = null, token = null, dumps = null;

test.before(async () => {
  service = spawn(PYTHON, ["-m", "juesuan.cli", "serve", "--port", "0"], {env: ENV, stdio: ["ignore", "pipe", "pipe"]});
  const first = await new Promise((resolve, reject) => {
    readline.createInterface({input: service.stdout}).once("line", resolve);
    service.once("exit", (code) => reject(new Error(`juesuan serve exited with ${code}`)));
  });
  port = Number(/127\.0\.0\.1:(\d+)/.exec(first)[1]);
  token = fs.readFileSync(path.join(CONFIG, "service-token"), "utf8").trim();
  dumps = python("book:broken/total_typed_wrong.xlsx", "check:broken/total_typed_wrong.xlsx",
                 "book:broken/item_without_kuan.xlsx", "fill:broken/item_without_kuan.xlsx",
                 "book:broken/text_in_amount.xlsx", "book:liaocheng_bjb_2024.xlsx");
});

test.after(() => {
  if (service) service.kill();
  fs.rmSync(CONFIG, {recursive: true, force: true});
});

function python(...requests) {    // one process for every dump: "book:<sample>", "check:<sample>", "fill:<sample>"
  const args = requests.map((r) => r.replace(":", ":" + SAMPLES + path.sep));
  const out = JSON.parse(execFileSync(PYTHON, [CLIENT, ...args], {env: ENV, encoding: "utf8", maxBuffer: 64 << 20}));
  return Object.fromEntries(requests.map((r, i) => [r, out[args[i]]]));
}

async function fetchTransport(url, init) {
  const answer = await fetch(url, {...init, headers: {...init.headers, Origin: "null"}});   // as from a file:// page
  return {status: answer.status, text: await answer.text()};
}

function addin(app, overrides = {}) {
  const alerts = [];
  const made = Juesuan.createAddin({app, port, transport: fetchTransport, readToken: () => token,
                                    startService: () => false, alert: (message, mode) => alerts.push({message, mode}),
                                    sleep: async () => {}, ...overrides});
  return {made, alerts};
}

function masked(sheets) {
  return sheets.map((sheet) => {
    const values = {...sheet.values};
    for (const [a1, v] of Object.entries(values)) if (typeof v === "string") values[a1] = v.replace(TIME_LINE, "审核时间：*");
    return {...sheet, values};
  });
}

function book(relative) {
  return {app: fakeApplication(dumps[`book:${relative}`])};
}

test("审核 leaves the book as `juesuan check --write` does, writing in blocks", async () => {
  const {app} = book("broken/total_typed_wrong.xlsx");
  const {made, alerts} = addin(app);
  const answer = await made.check();
  assert.ok(answer, JSON.stringify(alerts));
  assert.deepEqual(masked(snapshot(app)), masked(snapshotOfDump(dumps["check:broken/total_typed_wrong.xlsx"])));
  // samples/broken/README.md: R3.3, R3.1 and R11.1 — three errors
  assert.match(alerts[0].message, /^审核完成：错误 3 条/);
  assert.equal(alerts[0].mode, "critical");
  assert.equal(app.ActiveWorkbook.active.Name, "审核结果");
  const cellsWritten = Object.keys(snapshot(app).find((s) => s.Name === "审核结果" || s.name === "审核结果").values).length;
  assert.ok(app.calls.write < cellsWritten, `${app.calls.write} writes for ${cellsWritten} cells`);
  assert.ok(app.calls.read <= app.ActiveWorkbook.sheets.length + answer.findings.length);
});

test("填充计算 inserts the missing 款 and fills as `juesuan fill` does", async () => {
  // samples/broken/README.md: 公开03 lost 20105 统计信息事务 above its 项 2010599
  const {app} = book("broken/item_without_kuan.xlsx");
  const {made, alerts} = addin(app);
  const answer = await made.fill();
  assert.ok(answer, JSON.stringify(alerts));
  assert.deepEqual(answer.inserted.map((i) => [i.table, i.code, i.name]), [["公开03", "20105", "统计信息事务"]]);
  assert.deepEqual(masked(snapshot(app)), masked(snapshotOfDump(dumps["fill:broken/item_without_kuan.xlsx"])));
  assert.match(alerts[0].message, /^填充计算完成：插入了 1 行缺少的类\/款/);
});

test("清除标记 after 审核 puts every fill back", async () => {
  const {app} = book("broken/text_in_amount.xlsx");
  const before = snapshot(app);
  const {made, alerts} = addin(app);
  await made.check();
  assert.notDeepEqual(snapshot(app)[6].fills, before[6].fills);        // 公开05 got its marks
  await made.clear();
  assert.match(alerts[1].message, /^已清除 \d+ 个单元格的审核标记/);
  const after = snapshot(app);
  for (let i = 0; i < before.length; i++) {
    if (before[i].name !== "审核结果") assert.deepEqual(after[i].fills, before[i].fills, before[i].name);
  }
  await made.clear();
  assert.equal(alerts[2].message, "没有需要清除的标记。");
});

test("生成公开表 writes <name>-公开表.xlsx next to the workbook", async () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "juesuan-wps-publish-"));
  try {
    const app = fakeApplication(dumps["book:liaocheng_bjb_2024.xlsx"], path.join(folder, "单位.xlsx"));
    const {made, alerts} = addin(app);
    const answer = await made.publish();
    assert.ok(answer, JSON.stringify(alerts));
    assert.equal(answer.output, path.join(folder, "单位-公开表.xlsx"));
    assert.ok(fs.statSync(answer.output).size > 0);
    assert.match(alerts[0].message, /^公开表已生成：/);
  } finally {
    fs.rmSync(folder, {recursive: true, force: true});
  }
});

test("生成情况说明 writes <name>-情况说明.docx next to the workbook and never over an earlier one", async () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "juesuan-wps-narrate-"));
  try {
    const app = fakeApplication(dumps["book:liaocheng_bjb_2024.xlsx"], path.join(folder, "单位.xlsx"));
    const {made, alerts} = addin(app);
    const answer = await made.narrate();
    assert.ok(answer, JSON.stringify(alerts));
    assert.equal(answer.output, path.join(folder, "单位-情况说明.docx"));
    assert.equal(answer.placeholders, 0);
    assert.equal(fs.readFileSync(answer.output).subarray(0, 2).toString("latin1"), "PK");   // a .docx is a zip
    assert.deepEqual(alerts[0], {message: `情况说明已生成：\n${answer.output}\n没有【待填写】的内容；公开前请通读核对。`, mode: "info"});
    assert.equal(app.calls.write, 0);                                  // nothing written into the workbook
    const again = await made.narrate();
    assert.equal(again.output, path.join(folder, "单位-情况说明(2).docx"));
    assert.deepEqual(fs.readdirSync(folder).sort(), ["单位-情况说明(2).docx", "单位-情况说明.docx"]);
  } finally {
    fs.rmSync(folder, {recursive: true, force: true});
  }
});

test("Chinese messages: service not running, token missing or wrong, book not standard, 情况说明 of an unsaved book", async () => {
  const {app} = book("liaocheng_bjb_2024.xlsx");
  let run = addin(app, {port: 9});                                     // nothing listens there
  await run.made.check();
  assert.equal(run.alerts[0].message, Juesuan.MESSAGES.notRunning);
  run = addin(app, {readToken: () => null});
  await run.made.check();
  assert.equal(run.alerts[0].message, Juesuan.MESSAGES.noToken);
  run = addin(app, {readToken: () => "not-the-token"});
  await run.made.check();
  assert.equal(run.alerts[0].message, Juesuan.MESSAGES.badToken);
  run = addin(app);
  await run.made.narrate();                                           // the fake book was never saved: no folder
  assert.deepEqual(run.alerts[0], {message: "工作簿还没有保存到本机文件夹（或在网盘上）：请先“另存为”到本机文件夹，再生成情况说明。",
                                   mode: "critical"});
  const other = fakeApplication({name: "工资表.xlsx", sheets: [{name: "Sheet1", values: [["姓名"]]}]});
  run = addin(other);
  await run.made.fill();
  assert.equal(run.alerts[0].message, Juesuan.MESSAGES.notStandard);
  assert.equal(other.calls.write, 0);
  assert.equal(app.calls.write, 0);
});

test("a hidden standard sheet reaches the service as hidden: E19", async () => {
  const dump = JSON.parse(JSON.stringify(dumps["book:liaocheng_bjb_2024.xlsx"]));
  dump.sheets.find((s) => s.name === "公开05").hidden = "hidden";
  const app = fakeApplication(dump);
  const {made, alerts} = addin(app);
  const answer = await made.check();
  assert.ok(answer, JSON.stringify(alerts));
  assert.deepEqual(answer.findings.filter((f) => f.rule === "E19").map((f) => f.table), ["公开05"]);
  assert.equal(alerts[0].mode, "critical");
});

test("the add-in starts the service on demand and waits for it", async () => {
  const {app} = book("liaocheng_bjb_2024.xlsx");
  let started = 0, tokenThere = false;
  const run = addin(app, {readToken: () => (tokenThere ? token : null),
                          startService: () => { started += 1; tokenThere = true; return true; }});
  const answer = await run.made.check();
  assert.ok(answer, JSON.stringify(run.alerts));
  assert.equal(started, 1);
});

test("ribbon: tab 决算助手, five buttons, each with its label and image; token path as the service's", () => {
  const xml = fs.readFileSync(path.join(ADDIN, "ribbon.xml"), "utf8");
  assert.match(xml, /<tab id="juesuanTab" label="决算助手">/);
  const ids = [...xml.matchAll(/<button id="(\w+)"/g)].map((m) => m[1]);
  assert.deepEqual(ids, ["btnCheck", "btnFill", "btnPublish", "btnNarrate", "btnClear"]);
  const labels = [...xml.matchAll(/<button id="\w+" label="([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(labels, ["审核", "填充计算", "生成公开表", "生成情况说明", "清除标记"]);
  assert.ok(!xml.includes("getEnabled") && !xml.includes("即将提供"));
  const context = {Juesuan, navigator: {userAgent: "Mozilla/5.0 (X11; Linux x86_64)"}, window: {},
                   wps: {Env: {GetHomePath: () => "/home/clerk", GetAppDataPath: () => "C:/Users/clerk/AppData/Roaming"}}};
  vm.createContext(context);
  vm.runInContext(fs.readFileSync(path.join(ADDIN, "js", "ribbon.js"), "utf8"), context);
  assert.equal(context.juesuanTokenPath(), "/home/clerk/.config/juesuan/service-token");
  context.navigator.userAgent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64)";
  assert.equal(context.juesuanTokenPath(), "C:\\Users\\clerk\\AppData\\Roaming\\juesuan\\service-token");
  for (const id of ids) {
    assert.ok(fs.existsSync(path.join(ADDIN, context.GetImage({Id: id}))), id);
    assert.ok(xml.includes(`id="${id}" label=`), id);
  }
});
