#!/usr/bin/env node
/*
 * Build the add-in package offline: node build.js  (or npm run build)
 *
 * dist/juesuan_<version>/   the add-in's files, the folder WPS loads from jsaddons
 * dist/publish.xml          its record for jsaddons/publish.xml
 * dist/juesuan.7z           wpsjs's own offline package, when node_modules/wpsjs is installed
 *                           (npm install once, with the registry; offline afterwards)
 *
 * The add-in is plain JavaScript: there is nothing to compile, and the first two are what
 * `wpsjs build` (offline) packs. Its files are package data of juesuan
 * (src/juesuan/service/wps_addin/), so that an installed juesuan carries them:
 * `python -m juesuan.service.wps_install` copies them into a jsaddons folder.
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const HERE = __dirname;
const ADDIN = path.join(HERE, "..", "src", "juesuan", "service", "wps_addin");
const ADDIN_FILES = ["index.html", "ribbon.xml", "js", "images"];     // what WPS loads; tests stay out
const config = JSON.parse(fs.readFileSync(path.join(HERE, "package.json"), "utf8"));
const folderName = `${config.name}_${config.version}`;
const dist = path.join(HERE, "dist");

function copyAddin(target) {
  fs.mkdirSync(target, {recursive: true});
  for (const name of ADDIN_FILES) fs.cpSync(path.join(ADDIN, name), path.join(target, name), {recursive: true});
}

async function main() {
  fs.rmSync(dist, {recursive: true, force: true});
  copyAddin(path.join(dist, folderName));
  fs.copyFileSync(path.join(ADDIN, "publish.xml"), path.join(dist, "publish.xml"));
  console.log(`已生成加载项目录：${path.join(dist, folderName)}`);
  const wpsjs = path.join(HERE, "node_modules", "wpsjs");       // by path: its package.json exports no lib/
  if (!fs.existsSync(path.join(wpsjs, "src", "lib", "build.js"))) {
    console.log("未安装 wpsjs（在 wps 目录运行一次 npm install 后可另外生成 wpsjs 的离线包 juesuan.7z），已跳过。");
    return;
  }
  const sevenZip = require(path.join(HERE, "node_modules", "7zip-bin"));
  if (process.platform !== "win32") fs.chmodSync(sevenZip.path7za, 0o755);   // npm may unpack it without x
  const build = require(path.join(wpsjs, "src", "lib", "build.js"));
  const stage = fs.mkdtempSync(path.join(dist, "stage-"));      // wpsjs packs every file of its working folder
  copyAddin(stage);
  fs.writeFileSync(path.join(stage, "package.json"), JSON.stringify(
    {name: config.name, version: config.version, addonType: config.addonType}, null, 2));
  const cwd = process.cwd();
  process.chdir(stage);
  try {
    const out = await build.buildWithArgs({pluginType: "offline"});
    const packed = path.join(out, `${config.name}.7z`);
    for (let i = 0; i < 100 && !fs.existsSync(packed); i++) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 500));                // 7za finishes writing after wpsjs returns
    fs.renameSync(packed, path.join(dist, `${config.name}.7z`));
    console.log(`已用 wpsjs ${require(path.join(wpsjs, "package.json")).version} 生成离线包：` +
                path.join(dist, `${config.name}.7z`));
  } finally {
    process.chdir(cwd);
    fs.rmSync(stage, {recursive: true, force: true});
  }
}

main().catch((e) => { console.error(`生成失败：${e.message}`); process.exit(1); });
