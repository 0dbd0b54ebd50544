/*
 * The ribbon tab 决算助手 in WPS 表格: WPS calls these callbacks (ribbon.xml); the work is in
 * juesuan.js. Only this file touches the WPS globals (wps, window.Application).
 */
/* global wps, Juesuan */
var JUESUAN_BUTTONS = {btnCheck: "check", btnFill: "fill", btnPublish: "publish", btnNarrate: "narrate", btnClear: "clear"};
// The Python that runs `juesuan serve`; install.py --python writes it into the installed copy.
var JUESUAN_PYTHON = null;

function juesuanIsWindows() {
  return /Windows/i.test(navigator.userAgent);
}

function juesuanTokenPath() {     // service/config.py: %APPDATA%\juesuan, ~/.config/juesuan
  return juesuanIsWindows()
    ? wps.Env.GetAppDataPath().replace(/\//g, "\\") + "\\juesuan\\service-token"
    : wps.Env.GetHomePath() + "/.config/juesuan/service-token";
}

function juesuanReadToken() {
  try {
    var path = juesuanTokenPath();
    if (!wps.FileSystem.Exists(path)) return null;
    var text = String(wps.FileSystem.ReadFile(path) || "").trim();
    return text || null;
  } catch (e) {
    return null;
  }
}

function juesuanStartService() {  // started on demand, as WPS-Zotero starts its proxy
  try {
    var python = JUESUAN_PYTHON || (juesuanIsWindows() ? "pythonw" : "python3");
    wps.OAAssist.ShellExecute(python, "-m juesuan.cli serve");
    return true;
  } catch (e) {
    return false;
  }
}

function juesuanTransport(url, init) {
  return new Promise(function (resolve, reject) {
    var xhr = new XMLHttpRequest();
    xhr.open(init.method, url, true);
    Object.keys(init.headers || {}).forEach(function (name) { xhr.setRequestHeader(name, init.headers[name]); });
    xhr.onload = function () { resolve({status: xhr.status, text: xhr.responseText}); };
    xhr.onerror = function () { reject(new Error("network: service not reachable")); };
    xhr.send(init.body === undefined ? null : init.body);
  });
}

var juesuanAddin = null;

function juesuan() {
  if (!juesuanAddin) {
    juesuanAddin = Juesuan.createAddin({
      app: typeof wps.EtApplication === "function" ? wps.EtApplication() : window.Application,
      transport: juesuanTransport,
      readToken: juesuanReadToken,
      startService: juesuanStartService,
      alert: function (message) { alert(message); }
    });
  }
  return juesuanAddin;
}

function OnAddinLoad(ribbonUI) {
  if (typeof wps.ribbonUI !== "object") wps.ribbonUI = ribbonUI;
  return true;
}

function OnAction(control) {
  var operation = JUESUAN_BUTTONS[control.Id];
  if (operation) juesuan()[operation]();
  return true;
}

function GetImage(control) {
  return "images/" + control.Id + ".svg";
}
