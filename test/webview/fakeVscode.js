/* global window, document */
// Stands in for VS Code's webview API in the browser harness: records posted messages and the saved state,
// and every CSP violation, for the test to read. The initial state comes from `window.__lmInitialState`.
(() => {
  const messages = [];
  let state = window.__lmInitialState;
  let acquired = false;
  window.__vscodeMessages = messages;
  window.__vscodeState = () => state;
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
  });
  window.acquireVsCodeApi = () => {
    if (acquired) throw new Error('acquireVsCodeApi may be called only once');
    acquired = true;
    return {
      postMessage: (m) => messages.push(JSON.parse(JSON.stringify(m))),
      getState: () => state,
      setState: (s) => {
        state = JSON.parse(JSON.stringify(s));
        return s;
      },
    };
  };
})();
