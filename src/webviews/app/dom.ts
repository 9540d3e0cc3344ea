/** Creates an element with attributes and children; no innerHTML, so nothing a CSP could block. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | boolean | undefined> = {},
  ...children: Array<Node | string | null | undefined>
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (name === 'class') el.className = value as string;
    else el.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children) if (child !== null && child !== undefined) el.append(child);
  return el;
}

/** Replaces the children of `el`. */
export function setChildren(el: Element, ...children: Array<Node | string | null | undefined>): void {
  el.replaceChildren(...children.filter((c): c is Node | string => c !== null && c !== undefined));
}
