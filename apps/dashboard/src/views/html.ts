// Views build markup with Hono's `html` helper, which escapes every interpolated string (& < > " ') and leaves nested
// markup alone. This module only narrows its types: hono's `html` takes `unknown` values and may return a promise
// (when one is interpolated); views interpolate none, so here a template is always rendered synchronously.
import { html as honoHtml, raw as honoRaw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

/** Markup that is already escaped; only `html` and `raw` make one, so any other string is escaped on interpolation. */
export type SafeHtml = HtmlEscapedString;

/**
 * Values an `html` template accepts: nested markup, arrays of it, text and numbers; null/undefined/false print
 * nothing. `true` is left out because hono prints nothing for it either, which would hide a mistaken `${flag}`.
 */
export type HtmlValue = SafeHtml | string | number | false | null | undefined | readonly HtmlValue[];

/** The one way views build markup: every interpolated value is escaped unless it is already SafeHtml. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  const markup = honoHtml(strings, ...values);
  if (markup instanceof Promise) throw new Error('html: a view interpolated a promise');
  return markup;
}

/** Trusted markup written in this codebase (inline CSS and scripts); never pass data through it. */
export function raw(trusted: string): SafeHtml {
  return honoRaw(trusted);
}
