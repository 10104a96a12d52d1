// The part of jsdom the report's figures use (api/report/figures.ts): a document to draw the chart functions into.
declare module 'jsdom' {
  export class JSDOM {
    constructor(html?: string);
    readonly window: Window & typeof globalThis;
  }
}
