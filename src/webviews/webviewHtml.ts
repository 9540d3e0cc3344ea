import * as crypto from 'node:crypto';
import * as vscode from 'vscode';

/**
 * The page of one of our webviews: a nonce CSP (scripts only with the nonce, styles, fonts and images only from
 * the extension, images also as data URIs), the shared stylesheet, an `#app` element carrying `data-*`
 * attributes for the script, and the script bundle from dist/.
 */
export function webviewHtml(
  webview: vscode.Webview,
  extensionUri: vscode.Uri,
  page: { title: string; script: string; data: Record<string, string> },
): string {
  const nonce = crypto.randomBytes(16).toString('base64');
  const asset = (...p: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...p));
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data:`,
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  const data = Object.entries(page.data)
    .map(([key, value]) => ` data-${key}="${value.replace(/[&"<>]/g, (c) => `&#${c.charCodeAt(0)};`)}"`)
    .join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${asset('media', 'chart.css')}">
<title>${page.title}</title>
</head>
<body>
<div id="app"${data}></div>
<script nonce="${nonce}" src="${asset('dist', page.script)}"></script>
</body>
</html>`;
}
