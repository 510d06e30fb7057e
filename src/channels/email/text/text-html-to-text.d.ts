/**
 * Minimal typings for `html-to-text` (shipped as a dependency of mailparser, without its own types).
 * Only the options Helpline passes are described.
 */
declare module 'html-to-text' {
  export interface HtmlToTextSelector {
    selector: string;
    format?: string;
    options?: Record<string, unknown>;
  }
  export interface HtmlToTextOptions {
    wordwrap?: number | false | null;
    selectors?: HtmlToTextSelector[];
    limits?: { maxInputLength?: number; maxDepth?: number; maxChildNodes?: number; ellipsis?: string };
  }
  export function htmlToText(html: string, options?: HtmlToTextOptions): string;
  export function convert(html: string, options?: HtmlToTextOptions): string;
}
