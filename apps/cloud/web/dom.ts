/** A few typed DOM helpers: the dashboard needs no framework. */

type Child = Node | string | number | null | undefined | false;
type Attributes = Readonly<Record<string, string | number | boolean | undefined>>;

/**
 * Creates `<tag>` with attributes (`false`/`undefined` skipped, `true` as an empty attribute; `class`
 * and `for` by their HTML names; `style` set through the CSSOM) and children (strings become text,
 * falsy ones are skipped).
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (name === 'style') {
      // Through the CSSOM: the Content-Security-Policy refuses inline style attributes.
      element.style.cssText = String(value);
      continue;
    }
    element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, ...children);
  return element;
}

/** Appends children (strings as text). */
export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? text(child) : child);
  }
}

/** Replaces every child of `parent`. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

function text(value: string | number): Text {
  return document.createTextNode(String(value));
}
